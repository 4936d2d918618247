-- VUnit testbench of rtl/vhdl/reduction_tree.vhd against the Python reduction reference (the Verilog twin's),
-- delayed by the registers REG_MASK places, with random clock enables (rtl4ml.tb.vectors.delay_line_vectors).
-- Packed columns, bit 0 first (tb/vhdl/run_primitives.py): inputs ce, in_data; output out_data, compared once
-- the pipeline has filled.
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
    signal inputs : std_logic_vector(N * WIDTH downto 0) := (others => '0');
    signal outputs : std_logic_vector(WIDTH - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.reduction_tree
        generic map (OPERATION => OPERATION, N => N, WIDTH => WIDTH, LEVELS => LEVELS, REG_MASK => REG_MASK)
        port map (clk => clk, ce => inputs(0), in_data => inputs(N * WIDTH downto 1), out_data => outputs);
end architecture tb;
