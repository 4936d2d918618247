-- VUnit testbench of rtl/vhdl/axis_pipeline_control.vhd. Every line of `vectors` is one clock cycle:
-- "<checked> <rst> <s_axis_tvalid> <s_axis_tlast> <m_axis_tready> <s_axis_tready> <m_axis_tvalid> <m_axis_tlast>
-- <ce> <stage_valid bits>", the inputs and the outputs before the edge of a cycle-accurate Python model of the
-- Verilog twin (rtl4ml.tb.vectors.axis_control_vectors; the Verilog's cocotb test replays the same file's cycles).
library ieee;
use ieee.std_logic_1164.all;
use std.textio.all;

library vunit_lib;
context vunit_lib.vunit_context;

entity tb_axis_pipeline_control is
    generic (
        runner_cfg : string;
        vectors    : string;
        LATENCY    : positive;
        INTERVAL   : positive
    );
end entity tb_axis_pipeline_control;

architecture tb of tb_axis_pipeline_control is
    signal clk, rst, s_valid, s_ready, s_last, m_valid, m_ready, m_last, ce : std_logic := '0';
    signal stage_valid : std_logic_vector(LATENCY - 1 downto 0);
begin
    main : process
        file source : text;
        variable row : line;
        variable checked, want_s_ready, want_m_valid, want_m_last, want_ce, input : std_logic;
        variable want_stages : std_logic_vector(LATENCY - 1 downto 0);
        variable cycle : natural := 0;
    begin
        test_runner_setup(runner, runner_cfg);
        file_open(source, vectors, read_mode);
        while not endfile(source) loop
            readline(source, row);
            read(row, checked);
            read(row, input); rst <= input;
            read(row, input); s_valid <= input;
            read(row, input); s_last <= input;
            read(row, input); m_ready <= input;
            read(row, want_s_ready);
            read(row, want_m_valid);
            read(row, want_m_last);
            read(row, want_ce);
            read(row, want_stages);
            wait for 1 ns;
            if checked = '1' then
                check_equal(s_ready, want_s_ready, "s_axis_tready, cycle " & to_string(cycle));
                check_equal(m_valid, want_m_valid, "m_axis_tvalid, cycle " & to_string(cycle));
                check_equal(ce, want_ce, "ce, cycle " & to_string(cycle));
                check_equal(stage_valid, want_stages, "stage_valid, cycle " & to_string(cycle));
                if want_m_valid = '1' then
                    check_equal(m_last, want_m_last, "m_axis_tlast, cycle " & to_string(cycle));
                end if;
            end if;
            clk <= '1';
            wait for 1 ns;
            clk <= '0';
            cycle := cycle + 1;
        end loop;
        file_close(source);
        info("checked " & to_string(cycle) & " cycles");
        test_runner_cleanup(runner);
    end process;

    dut : entity work.axis_pipeline_control
        generic map (LATENCY => LATENCY, INTERVAL => INTERVAL)
        port map (clk => clk, rst => rst, s_axis_tvalid => s_valid, s_axis_tready => s_ready,
                  s_axis_tlast => s_last, m_axis_tvalid => m_valid, m_axis_tready => m_ready, m_axis_tlast => m_last,
                  ce => ce, stage_valid => stage_valid);
end architecture tb;
