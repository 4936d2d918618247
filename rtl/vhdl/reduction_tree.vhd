-- Pipelined balanced reduction tree, sum or maximum of N terms: the VHDL-2008 twin of rtl/reduction_tree.v.
--
-- OPERATION "ADD" sums modulo 2**WIDTH (two's complement wrap; callers size WIDTH so that no partial sum
-- overflows when exactness is wanted); "MAX" takes the signed maximum and "MAXU" the unsigned maximum.
-- Level l combines neighbouring pairs of level l-1; an odd term passes through. REG_MASK bit l-1 puts a
-- register bank after level l, so the generator can place pipeline cuts anywhere in the tree. LEVELS may
-- exceed the levels the tree needs (ceil(log2(N))) so trees of different sizes share one latency.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity reduction_tree is
    generic (
        -- "ADD", "MAX" (signed) or "MAXU" (unsigned)
        OPERATION : string := "ADD";
        -- Number of terms (>= 1)
        N         : positive := 4;
        -- Width of every term and of the sum
        WIDTH     : positive := 16;
        -- Number of levels (>= ceil(log2(N)))
        LEVELS    : natural := 2;
        -- Bit l-1 set: register after level l (0 = fully combinational)
        REG_MASK  : natural := 0
    );
    port (
        clk      : in  std_logic;
        ce       : in  std_logic;
        in_data  : in  std_logic_vector(N * WIDTH - 1 downto 0);
        out_data : out std_logic_vector(WIDTH - 1 downto 0)
    );
end entity reduction_tree;

architecture rtl of reduction_tree is
    -- Terms remaining after `level` levels of pairwise reduction
    function terms_at(level : natural) return positive is
        variable terms : positive := N;
    begin
        for k in 1 to level loop
            terms := (terms + 1) / 2;
        end loop;
        return terms;
    end function;

    function registered(level : positive) return boolean is
    begin
        return (REG_MASK / 2 ** (level - 1)) mod 2 = 1;
    end function;

    function combine(a, b : std_logic_vector) return std_logic_vector is
    begin
        if OPERATION = "ADD" then
            return std_logic_vector(unsigned(a) + unsigned(b));
        elsif OPERATION = "MAX" then
            if signed(a) >= signed(b) then
                return a;
            end if;
            return b;
        end if;
        if unsigned(a) >= unsigned(b) then
            return a;
        end if;
        return b;
    end function;

    subtype term is std_logic_vector(WIDTH - 1 downto 0);
    type term_array is array (natural range <>) of term;
    -- level l holds terms_at(l) values in entries 0 .. terms_at(l) - 1 (level 0: the inputs)
    type level_array is array (0 to LEVELS) of term_array(0 to N - 1);
    signal levels_of : level_array;
begin
    assert terms_at(LEVELS) = 1 report "reduction_tree needs LEVELS >= ceil(log2(N))" severity failure;
    assert OPERATION = "ADD" or OPERATION = "MAX" or OPERATION = "MAXU"
        report "reduction_tree OPERATION must be ADD, MAX or MAXU" severity failure;

    g_inputs : for i in 0 to N - 1 generate
        levels_of(0)(i) <= in_data(i * WIDTH + WIDTH - 1 downto i * WIDTH);
    end generate;

    g_level : for level in 1 to LEVELS generate
        g_term : for i in 0 to terms_at(level) - 1 generate
            signal value : term;
            -- as the Verilog twin: each sum stays a two-input carry-chain adder in synthesis
            attribute keep : boolean;
            attribute keep of value : signal is OPERATION = "ADD";
        begin
            g_pair : if 2 * i + 1 < terms_at(level - 1) generate
                value <= combine(levels_of(level - 1)(2 * i), levels_of(level - 1)(2 * i + 1));
            end generate;
            g_pass : if 2 * i + 1 >= terms_at(level - 1) generate
                value <= levels_of(level - 1)(2 * i);
            end generate;
            g_reg : if registered(level) generate
                process (clk)
                begin
                    if rising_edge(clk) then
                        if ce = '1' then
                            levels_of(level)(i) <= value;
                        end if;
                    end if;
                end process;
            end generate;
            g_comb : if not registered(level) generate
                levels_of(level)(i) <= value;
            end generate;
        end generate;
    end generate;

    out_data <= levels_of(LEVELS)(0);
end architecture rtl;
