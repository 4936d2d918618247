-- VUnit testbench of rtl/vhdl/reduction_tree.vhd: every line of `vectors` is one clock cycle,
-- "<ce> <input bits> <checked> <expected output bits after the edge>", written by tb/vhdl/run_primitives.py from
-- the Python reduction reference (the Verilog twin's) delayed by the registers REG_MASK places; unchecked lines
-- are the pipeline filling.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_reduction_tree is
    generic (
        runner_cfg : string;
        vectors    : string;
        OPERATION  : string;
        N          : positive;
        WIDTH      : positive;
        LEVELS     : natural;
        REG_MASK   : natural
    );
end entity tb_reduction_tree;

architecture tb of tb_reduction_tree is
    signal clk : std_logic := '0';
    signal ce : std_logic := '0';
    signal in_data : std_logic_vector(N * WIDTH - 1 downto 0) := (others => '0');
    signal out_data : std_logic_vector(WIDTH - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_clocked_vectors(vectors, clk, ce, in_data, out_data);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.reduction_tree
        generic map (OPERATION => OPERATION, N => N, WIDTH => WIDTH, LEVELS => LEVELS, REG_MASK => REG_MASK)
        port map (clk => clk, ce => ce, in_data => in_data, out_data => out_data);
end architecture tb;
