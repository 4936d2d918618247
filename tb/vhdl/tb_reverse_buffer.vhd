-- VUnit testbench of rtl/vhdl/reverse_buffer.vhd against the cycle-accurate Python model its Verilog twin's
-- cocotb test replays too (rtl4ml.tb.vectors.reverse_vectors). Packed columns, bit 0 first
-- (tb/vhdl/run_primitives.py): inputs rst, s_axis_tvalid, s_axis_tdata, m_axis_tready; outputs s_axis_tready,
-- m_axis_tvalid, m_axis_tdata and m_axis_tlast (these two compared only with m_axis_tvalid).
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_reverse_buffer is
    generic (
        runner_cfg  : string;
        vectors     : string;
        STEPS       : positive;
        CHANNELS    : positive;
        WIDTH       : positive
    );
end entity tb_reverse_buffer;

architecture tb of tb_reverse_buffer is
    constant PIXEL : positive := CHANNELS * WIDTH;
    signal clk : std_logic := '0';
    signal inputs : std_logic_vector(PIXEL + 2 downto 0) := (others => '0');
    signal outputs : std_logic_vector(PIXEL + 2 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.reverse_buffer
        generic map (STEPS => STEPS, CHANNELS => CHANNELS, WIDTH => WIDTH)
        port map (clk => clk, rst => inputs(0), s_axis_tvalid => inputs(1), s_axis_tdata => inputs(PIXEL + 1 downto 2),
                  s_axis_tlast => '0', m_axis_tready => inputs(PIXEL + 2), s_axis_tready => outputs(0),
                  m_axis_tvalid => outputs(1), m_axis_tdata => outputs(PIXEL + 1 downto 2),
                  m_axis_tlast => outputs(PIXEL + 2));
end architecture tb;
