-- Signed multiplier in LUTs and carry chains: the VHDL-2008 twin of rtl/lut_multiplier.v.
--
-- p = a * b, both two's complement, the full product. b is recoded in radix-4 (Booth) digits in {-2 .. 2}: digit k,
-- from bits 2k+1, 2k, 2k-1 of b (a zero below bit 0, b's sign above its top), selects 0, a or 2a, complemented when
-- negative, shifted by 2k; the complements' +1s are one correction word. The rows and that word are summed modulo
-- 2**(A_WIDTH + B_WIDTH) by a balanced tree (reduction_tree, no registers), which is exact.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity lut_multiplier is
    generic (
        -- Width of a (>= 1)
        A_WIDTH : positive := 8;
        -- Width of b (>= 1)
        B_WIDTH : positive := 6;
        -- Levels of the rows' adder tree: ceil(log2(ceil(B_WIDTH / 2) + 1))
        LEVELS  : positive := 2
    );
    port (
        a : in  std_logic_vector(A_WIDTH - 1 downto 0);
        b : in  std_logic_vector(B_WIDTH - 1 downto 0);
        p : out std_logic_vector(A_WIDTH + B_WIDTH - 1 downto 0)
    );
end entity lut_multiplier;

architecture rtl of lut_multiplier is
    constant P_WIDTH : positive := A_WIDTH + B_WIDTH;
    constant DIGITS  : positive := (B_WIDTH + 1) / 2;
    signal terms : std_logic_vector((DIGITS + 1) * P_WIDTH - 1 downto 0);
begin
    rows : process (a, b)
        variable a_wide     : unsigned(P_WIDTH - 1 downto 0);
        variable b_booth    : std_logic_vector(2 * DIGITS downto 0);
        variable bits       : std_logic_vector(2 downto 0);
        variable negative   : boolean;
        variable magnitude  : unsigned(P_WIDTH - 1 downto 0);
        variable correction : unsigned(P_WIDTH - 1 downto 0);
    begin
        a_wide := unsigned(resize(signed(a), P_WIDTH));
        b_booth := std_logic_vector(resize(signed(b), 2 * DIGITS)) & '0';
        correction := (others => '0');
        for k in 0 to DIGITS - 1 loop
            bits := b_booth(2 * k + 2 downto 2 * k);
            case bits is
                when "001" | "010" | "101" | "110" => magnitude := a_wide;
                when "011" | "100" => magnitude := shift_left(a_wide, 1);
                when others => magnitude := (others => '0');
            end case;
            negative := bits(2) = '1' and bits /= "111";
            if negative then
                magnitude := not magnitude;
                correction(2 * k) := '1';
            end if;
            terms((k + 1) * P_WIDTH - 1 downto k * P_WIDTH) <= std_logic_vector(shift_left(magnitude, 2 * k));
        end loop;
        terms((DIGITS + 1) * P_WIDTH - 1 downto DIGITS * P_WIDTH) <= std_logic_vector(correction);
    end process;

    tree : entity work.reduction_tree
        generic map (OPERATION => "ADD", N => DIGITS + 1, WIDTH => P_WIDTH, LEVELS => LEVELS, REG_MASK => 0)
        port map (clk => '0', ce => '0', in_data => terms, out_data => p);
end architecture rtl;
