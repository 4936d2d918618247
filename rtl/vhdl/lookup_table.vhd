-- Read-only lookup table with its contents given as a generic: the VHDL-2008 twin of rtl/lookup_table.v.
--
-- Entry k sits at CONTENTS(k*DATA_WIDTH + DATA_WIDTH - 1 downto k*DATA_WIDTH); addresses at or past DEPTH read
-- entry DEPTH-1 (callers clamp, this only keeps the read defined). Combinational read: synthesis maps it to
-- LUTs; the generator registers it.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity lookup_table is
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
        addr : in  std_logic_vector(ADDR_WIDTH - 1 downto 0);
        data : out std_logic_vector(DATA_WIDTH - 1 downto 0)
    );
end entity lookup_table;

architecture rtl of lookup_table is
    -- the contents normalized to a descending range starting at 0, whatever range the actual has
    constant TABLE : std_logic_vector(DEPTH * DATA_WIDTH - 1 downto 0) := CONTENTS;
begin
    assert DEPTH <= 2 ** ADDR_WIDTH report "lookup_table needs 1 <= DEPTH <= 2**ADDR_WIDTH" severity failure;
    assert CONTENTS'length = DEPTH * DATA_WIDTH report "lookup_table: CONTENTS must hold DEPTH entries"
        severity failure;

    process (addr)
        variable index : natural;
    begin
        index := to_integer(unsigned(addr));
        if index > DEPTH - 1 then
            index := DEPTH - 1;
        end if;
        data <= TABLE(index * DATA_WIDTH + DATA_WIDTH - 1 downto index * DATA_WIDTH);
    end process;
end architecture rtl;
