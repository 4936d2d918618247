-- VUnit testbench of rtl/vhdl/valid_stream_adapter.vhd. Every line of `vectors` is one clock cycle:
-- "<checked> <rst> <in_valid> <in_data> <s_axis_tready> <m_axis_tdata> <m_axis_tvalid> <out_valid> <out_data>
-- <overrun> <s_axis_tdata> <s_axis_tvalid> <s_axis_tlast> <m_axis_tready>", the inputs and the
-- outputs before the edge of the cycle-accurate Python model the Verilog twin's cocotb test replays too.
library ieee;
use ieee.std_logic_1164.all;
use std.textio.all;

library vunit_lib;
context vunit_lib.vunit_context;

entity tb_valid_stream_adapter is
    generic (
        runner_cfg : string;
        vectors    : string;
        IN_WIDTH   : positive;
        OUT_WIDTH  : positive
    );
end entity tb_valid_stream_adapter;

architecture tb of tb_valid_stream_adapter is
    signal clk, rst, in_valid, out_valid, overrun, s_valid, s_ready, s_last, m_valid, m_ready : std_logic := '0';
    signal in_data, s_data : std_logic_vector(IN_WIDTH - 1 downto 0) := (others => '0');
    signal out_data, m_data : std_logic_vector(OUT_WIDTH - 1 downto 0) := (others => '0');
begin
    main : process
        file source : text;
        variable row : line;
        variable checked, bit_in, want_out_valid, want_overrun, want_s_valid, want_s_last, want_m_ready : std_logic;
        variable in_bus, want_s_data : std_logic_vector(IN_WIDTH - 1 downto 0);
        variable out_bus, want_out_data : std_logic_vector(OUT_WIDTH - 1 downto 0);
        variable cycle : natural := 0;
    begin
        test_runner_setup(runner, runner_cfg);
        file_open(source, vectors, read_mode);
        while not endfile(source) loop
            readline(source, row);
            read(row, checked);
            read(row, bit_in); rst <= bit_in;
            read(row, bit_in); in_valid <= bit_in;
            read(row, in_bus); in_data <= in_bus;
            read(row, bit_in); s_ready <= bit_in;
            read(row, out_bus); m_data <= out_bus;
            read(row, bit_in); m_valid <= bit_in;
            read(row, want_out_valid);
            read(row, want_out_data);
            read(row, want_overrun);
            read(row, want_s_data);
            read(row, want_s_valid);
            read(row, want_s_last);
            read(row, want_m_ready);
            wait for 1 ns;
            if checked = '1' then
                check_equal(out_valid, want_out_valid, "out_valid, cycle " & to_string(cycle));
                check_equal(out_data, want_out_data, "out_data, cycle " & to_string(cycle));
                check_equal(overrun, want_overrun, "overrun, cycle " & to_string(cycle));
                check_equal(s_data, want_s_data, "s_axis_tdata, cycle " & to_string(cycle));
                check_equal(s_valid, want_s_valid, "s_axis_tvalid, cycle " & to_string(cycle));
                check_equal(s_last, want_s_last, "s_axis_tlast, cycle " & to_string(cycle));
                check_equal(m_ready, want_m_ready, "m_axis_tready, cycle " & to_string(cycle));
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

    dut : entity work.valid_stream_adapter
        generic map (IN_WIDTH => IN_WIDTH, OUT_WIDTH => OUT_WIDTH)
        port map (clk => clk, rst => rst, in_valid => in_valid, in_data => in_data, out_valid => out_valid,
                  out_data => out_data, overrun => overrun, s_axis_tdata => s_data, s_axis_tvalid => s_valid,
                  s_axis_tready => s_ready, s_axis_tlast => s_last, m_axis_tdata => m_data,
                  m_axis_tvalid => m_valid, m_axis_tready => m_ready, m_axis_tlast => '0');
end architecture tb;
