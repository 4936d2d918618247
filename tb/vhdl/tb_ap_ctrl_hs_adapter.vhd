-- VUnit testbench of rtl/vhdl/ap_ctrl_hs_adapter.vhd against the cycle-accurate Python model its Verilog twin's
-- cocotb test replays too (rtl4ml.tb.vectors.ap_ctrl_vectors). Packed columns, bit 0 first
-- (tb/vhdl/run_primitives.py): inputs ap_rst, ap_start, in_data, s_axis_tready, m_axis_tdata, m_axis_tvalid;
-- outputs ap_ready, ap_done, ap_idle, out_data, out_data_ap_vld, s_axis_tdata, s_axis_tvalid, s_axis_tlast,
-- m_axis_tready.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_ap_ctrl_hs_adapter is
    generic (
        runner_cfg    : string;
        vectors       : string;
        IN_WIDTH      : positive;
        OUT_WIDTH     : positive;
        MAX_IN_FLIGHT : positive
    );
end entity tb_ap_ctrl_hs_adapter;

architecture tb of tb_ap_ctrl_hs_adapter is
    constant I : positive := IN_WIDTH;
    constant O : positive := OUT_WIDTH;
    signal clk : std_logic := '0';
    signal inputs : std_logic_vector(I + O + 3 downto 0) := (others => '0');
    signal outputs : std_logic_vector(O + I + 6 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.ap_ctrl_hs_adapter
        generic map (IN_WIDTH => IN_WIDTH, OUT_WIDTH => OUT_WIDTH, MAX_IN_FLIGHT => MAX_IN_FLIGHT)
        port map (ap_clk => clk, ap_rst => inputs(0), ap_start => inputs(1), in_data => inputs(I + 1 downto 2),
                  s_axis_tready => inputs(I + 2), m_axis_tdata => inputs(I + O + 2 downto I + 3),
                  m_axis_tvalid => inputs(I + O + 3), m_axis_tlast => '0',
                  ap_ready => outputs(0), ap_done => outputs(1), ap_idle => outputs(2),
                  out_data => outputs(O + 2 downto 3),
                  out_data_ap_vld => outputs(O + 3), s_axis_tdata => outputs(O + I + 3 downto O + 4),
                  s_axis_tvalid => outputs(O + I + 4), s_axis_tlast => outputs(O + I + 5),
                  m_axis_tready => outputs(O + I + 6));
end architecture tb;
