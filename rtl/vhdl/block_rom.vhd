-- Read-only table with two registered read ports, contents given as a generic: the VHDL-2008 twin of
-- rtl/block_rom.v.
--
-- The synchronous reads are what lets synthesis put the table in one block RAM (both ports of a RAMB18/36)
-- instead of LUTs; each port's data appears one cycle after its address, when ce is high. Entry k sits at
-- CONTENTS(k*DATA_WIDTH + DATA_WIDTH - 1 downto k*DATA_WIDTH); addresses at or past DEPTH read entry DEPTH-1
-- (callers clamp, this only keeps the read defined).
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity block_rom is
    generic (
        -- Address width in bits (>= 1)
        ADDR_WIDTH : positive := 10;
        -- Entry width in bits (>= 1)
        DATA_WIDTH : positive := 18;
        -- Number of entries (1 .. 2**ADDR_WIDTH)
        DEPTH      : positive := 1024;
        -- Table contents, entry 0 in the least significant bits
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

    function clamped(addr : std_logic_vector) return natural is
    begin
        if to_integer(unsigned(addr)) > DEPTH - 1 then
            return DEPTH - 1;
        end if;
        return to_integer(unsigned(addr));
    end function;
begin
    assert DEPTH <= 2 ** ADDR_WIDTH report "block_rom needs 1 <= DEPTH <= 2**ADDR_WIDTH" severity failure;
    assert CONTENTS'length = DEPTH * DATA_WIDTH report "block_rom: CONTENTS must hold DEPTH entries"
        severity failure;

    process (clk)
    begin
        if rising_edge(clk) then
            if ce = '1' then
                data_a <= TABLE(clamped(addr_a));
                data_b <= TABLE(clamped(addr_b));
            end if;
        end if;
    end process;
end architecture rtl;
