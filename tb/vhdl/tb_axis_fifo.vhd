-- VUnit testbench of rtl/vhdl/axis_fifo.vhd against the cycle-accurate Python model its Verilog twin's
-- cocotb test replays too (rtl4ml.tb.vectors.fifo_vectors). Packed columns, bit 0 first
-- (tb/vhdl/run_primitives.py): inputs rst, s_axis_tvalid, s_axis_tdata, s_axis_tlast, m_axis_tready; outputs
-- s_axis_tready, m_axis_tvalid, m_axis_tdata and m_axis_tlast (these two compared only with m_axis_tvalid).
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_axis_fifo is
    generic (
        runner_cfg : string;
        vectors    : string;
        DATA_WIDTH : positive;
        DEPTH      : positive
    );
end entity tb_axis_fifo;

architecture tb of tb_axis_fifo is
    signal clk : std_logic := '0';
    signal inputs : std_logic_vector(DATA_WIDTH + 3 downto 0) := (others => '0');
    signal outputs : std_logic_vector(DATA_WIDTH + 2 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.axis_fifo
        generic map (DEPTH => DEPTH, DATA_WIDTH => DATA_WIDTH)
        port map (clk => clk, rst => inputs(0), s_axis_tvalid => inputs(1),
                  s_axis_tdata => inputs(DATA_WIDTH + 1 downto 2), s_axis_tlast => inputs(DATA_WIDTH + 2),
                  m_axis_tready => inputs(DATA_WIDTH + 3), s_axis_tready => outputs(0), m_axis_tvalid => outputs(1),
                  m_axis_tdata => outputs(DATA_WIDTH + 1 downto 2), m_axis_tlast => outputs(DATA_WIDTH + 2));
end architecture tb;
