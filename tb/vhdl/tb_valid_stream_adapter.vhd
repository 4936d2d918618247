-- VUnit testbench of rtl/vhdl/valid_stream_adapter.vhd against the cycle-accurate Python model its Verilog twin's
-- cocotb test replays too (rtl4ml.tb.vectors.valid_stream_vectors). Packed columns, bit 0 first
-- (tb/vhdl/run_primitives.py): inputs rst, in_valid, in_data, s_axis_tready, m_axis_tdata, m_axis_tvalid; outputs
-- out_valid, out_data, overrun, s_axis_tdata, s_axis_tvalid, s_axis_tlast, m_axis_tready.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_valid_stream_adapter is
    generic (
        runner_cfg : string;
        vectors    : string;
        IN_WIDTH   : positive;
        OUT_WIDTH  : positive
    );
end entity tb_valid_stream_adapter;

architecture tb of tb_valid_stream_adapter is
    constant I : positive := IN_WIDTH;
    constant O : positive := OUT_WIDTH;
    signal clk : std_logic := '0';
    signal inputs : std_logic_vector(I + O + 3 downto 0) := (others => '0');
    signal outputs : std_logic_vector(O + I + 4 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.valid_stream_adapter
        generic map (IN_WIDTH => IN_WIDTH, OUT_WIDTH => OUT_WIDTH)
        port map (clk => clk, rst => inputs(0), in_valid => inputs(1), in_data => inputs(I + 1 downto 2),
                  s_axis_tready => inputs(I + 2), m_axis_tdata => inputs(I + O + 2 downto I + 3),
                  m_axis_tvalid => inputs(I + O + 3), m_axis_tlast => '0',
                  out_valid => outputs(0), out_data => outputs(O downto 1), overrun => outputs(O + 1),
                  s_axis_tdata => outputs(O + I + 1 downto O + 2), s_axis_tvalid => outputs(O + I + 2),
                  s_axis_tlast => outputs(O + I + 3), m_axis_tready => outputs(O + I + 4));
end architecture tb;
