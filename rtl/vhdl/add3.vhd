-- Ternary adder: the VHDL-2008 twin of rtl/add3.v.
--
-- sum = x + y + z modulo 2**WIDTH, operand k subtracted where bit k of NEGATE is set. Written as one
-- three-operand sum: Vivado infers its ternary adder (one LUT per bit and one carry chain) from it, which the
-- Verilog twin spells out with LUT6_2 and CARRY8/CARRY4 primitives for open synthesis.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity add3 is
    generic (
        -- Operand and sum width (>= 1)
        WIDTH  : positive := 8;
        -- bit k set (k = 0, 1, 2 for x, y, z): the operand is subtracted
        NEGATE : natural range 0 to 7 := 0
    );
    port (
        x   : in  std_logic_vector(WIDTH - 1 downto 0);
        y   : in  std_logic_vector(WIDTH - 1 downto 0);
        z   : in  std_logic_vector(WIDTH - 1 downto 0);
        sum : out std_logic_vector(WIDTH - 1 downto 0)
    );
end entity add3;

architecture rtl of add3 is
    function term(v : std_logic_vector; k : natural) return unsigned is
    begin
        if (NEGATE / 2 ** k) mod 2 = 1 then
            return 0 - unsigned(v);
        end if;
        return unsigned(v);
    end function;
begin
    sum <= std_logic_vector(term(x, 0) + term(y, 1) + term(z, 2));
end architecture rtl;
