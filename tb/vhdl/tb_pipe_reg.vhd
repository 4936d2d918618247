-- VUnit testbench of rtl/vhdl/pipe_reg.vhd against a Python delay line of STAGES enabled cycles (the Verilog
-- twin's reference), with random clock enables (rtl4ml.tb.vectors.delay_line_vectors). Packed columns, bit 0
-- first (tb/vhdl/run_primitives.py): inputs ce, in_data; output out_data, compared once the line has filled.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_pipe_reg is
    generic (
        runner_cfg : string;
        vectors    : string;
        WIDTH      : positive;
        STAGES     : natural
    );
end entity tb_pipe_reg;

architecture tb of tb_pipe_reg is
    signal clk : std_logic := '0';
    signal inputs : std_logic_vector(WIDTH downto 0) := (others => '0');
    signal outputs : std_logic_vector(WIDTH - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.pipe_reg
        generic map (WIDTH => WIDTH, STAGES => STAGES)
        port map (clk => clk, ce => inputs(0), in_data => inputs(WIDTH downto 1), out_data => outputs);
end architecture tb;
