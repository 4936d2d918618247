-- VUnit testbench of rtl/vhdl/axis_pipeline_control.vhd against the cycle-accurate Python model its Verilog twin's
-- cocotb test replays too (rtl4ml.tb.vectors.axis_control_vectors). Packed columns, bit 0 first
-- (tb/vhdl/run_primitives.py): inputs rst, s_axis_tvalid, s_axis_tlast, m_axis_tready; outputs s_axis_tready,
-- m_axis_tvalid, m_axis_tlast (compared only with m_axis_tvalid), ce, stage_valid.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_axis_pipeline_control is
    generic (
        runner_cfg : string;
        vectors    : string;
        LATENCY    : positive;
        INTERVAL   : positive
    );
end entity tb_axis_pipeline_control;

architecture tb of tb_axis_pipeline_control is
    signal clk : std_logic := '0';
    signal inputs : std_logic_vector(3 downto 0) := (others => '0');
    signal outputs : std_logic_vector(4 + LATENCY - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.axis_pipeline_control
        generic map (LATENCY => LATENCY, INTERVAL => INTERVAL)
        port map (clk => clk, rst => inputs(0), s_axis_tvalid => inputs(1), s_axis_tready => outputs(0),
                  s_axis_tlast => inputs(2), m_axis_tvalid => outputs(1), m_axis_tready => inputs(3),
                  m_axis_tlast => outputs(2), ce => outputs(3), stage_valid => outputs(4 + LATENCY - 1 downto 4));
end architecture tb;
