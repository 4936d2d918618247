-- Read-only table with two registered read ports, contents given as a generic: the VHDL-2008 twin of
-- rtl/block_rom.v.
--
-- The synchronous reads are what lets synthesis put the table in one block RAM (both ports of a RAMB18/36)
-- instead of LUTs; each port's data appears one cycle after its address, when ce is high. Entry k sits at
-- CONTENTS(k*DATA_WIDTH + DATA_WIDTH - 1 downto k*DATA_WIDTH); every address has its entry.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity block_rom is
    generic (
        -- Address width in bits (>= 1)
        ADDR_WIDTH : positive := 10;
        -- Entry width in bits (>= 1)
        DATA_WIDTH : positive := 18;
        -- Table contents: 2**ADDR_WIDTH entries, entry 0 in the least significant bits
        CONTENTS   : std_logic_vector
    );
    port (
        clk    : in  std_logic;
        ce     : in  std_logic;
        addr_a : in  std_logic_vector(ADDR_WIDTH - 1 downto 0);
        data_a : out std_logic_vector(DATA_WIDTH - 1 downto 0);
        addr_b : in  std_logic_vector(ADDR_WIDTH - 1 downto 0);
        data_b : out std_logic_vector(DATA_WIDTH - 1 downto 0)
    );
end entity block_rom;

architecture rtl of block_rom is
    constant DEPTH : positive := 2 ** ADDR_WIDTH;
    type entries_t is array (0 to DEPTH - 1) of std_logic_vector(DATA_WIDTH - 1 downto 0);

    function to_entries(packed : std_logic_vector) return entries_t is
        -- normalized to a descending range starting at 0, whatever range the actual has
        constant BITS : std_logic_vector(DEPTH * DATA_WIDTH - 1 downto 0) := packed;
        variable entries : entries_t;
    begin
        for k in 0 to DEPTH - 1 loop
            entries(k) := BITS(k * DATA_WIDTH + DATA_WIDTH - 1 downto k * DATA_WIDTH);
        end loop;
        return entries;
    end function;

    constant TABLE : entries_t := to_entries(CONTENTS);
begin
    assert CONTENTS'length = DEPTH * DATA_WIDTH report "block_rom: CONTENTS must hold 2**ADDR_WIDTH entries"
        severity failure;

    process (clk)
    begin
        if rising_edge(clk) then
            if ce = '1' then
                data_a <= TABLE(to_integer(unsigned(addr_a)));
                data_b <= TABLE(to_integer(unsigned(addr_b)));
            end if;
        end if;
    end process;
end architecture rtl;
