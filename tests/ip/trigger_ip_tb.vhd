-- A firmware engineer's VHDL testbench for the "trigger_ip" core, written from ip/README.md (the datasheet) alone:
-- the entity trigger_ip (trigger_ip_vhdl.f), its package constants (widths, latency, interval), and the vectors
-- in vectors/*.hex, one AXI beat per line. Streams every event as soon as the core is ready, m_axis_tready high,
-- and checks each output beat and its latency. Reports "PASS <events>" or "FAIL ..." lines.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;
use std.textio.all;

use work.trigger_ip_pkg.all;

entity trigger_ip_tb is
end entity;

architecture sim of trigger_ip_tb is
    constant EVENTS : positive := 32;
    constant SW : positive := TRIGGER_IP_S_AXIS_DATA_WIDTH;
    constant MW : positive := TRIGGER_IP_M_AXIS_DATA_WIDTH;
    type beats is array (natural range <>) of std_logic_vector;

    -- one beat per line of a vectors/*.hex file
    impure function read_beats(path : string; width : positive) return beats is
        file f : text open read_mode is path;
        variable l : line;
        variable result : beats(0 to EVENTS - 1)(width - 1 downto 0);
    begin
        for k in result'range loop
            readline(f, l);
            hread(l, result(k));
        end loop;
        return result;
    end function;

    constant INPUTS : beats := read_beats("vectors/inputs.hex", SW);
    constant EXPECTED : beats := read_beats("vectors/expected.hex", MW);

    signal clk : std_logic := '0';
    signal rst : std_logic := '1';
    signal s_axis_tdata : std_logic_vector(SW - 1 downto 0) := (others => '0');
    signal s_axis_tvalid : std_logic := '0';
    signal s_axis_tready : std_logic;
    signal m_axis_tdata : std_logic_vector(MW - 1 downto 0);
    signal m_axis_tvalid, m_axis_tlast : std_logic;
    signal cycle : natural := 0;
    signal done : boolean := false;
begin
    clk <= not clk after 1 ns when not done;

    dut : entity work.trigger_ip
        port map (clk => clk, rst => rst, s_axis_tdata => s_axis_tdata, s_axis_tvalid => s_axis_tvalid,
                  s_axis_tready => s_axis_tready, s_axis_tlast => '0', m_axis_tdata => m_axis_tdata,
                  m_axis_tvalid => m_axis_tvalid, m_axis_tready => '1', m_axis_tlast => m_axis_tlast);

    stimulus : process
        variable sent : natural := 0;
    begin
        for k in 1 to 3 loop
            wait until rising_edge(clk);
        end loop;
        rst <= '0';
        while sent < EVENTS loop
            s_axis_tdata <= INPUTS(sent);
            s_axis_tvalid <= '1';
            wait until rising_edge(clk);
            if s_axis_tready = '1' then
                sent := sent + 1;
            end if;
        end loop;
        s_axis_tvalid <= '0';
        wait;
    end process;

    check : process
        type cycles is array (0 to EVENTS - 1) of natural;
        variable accepted_at : cycles;
        variable sent, received, errors : natural := 0;
    begin
        wait until rising_edge(clk);
        cycle <= cycle + 1;
        if rst = '0' and s_axis_tvalid = '1' and s_axis_tready = '1' then
            accepted_at(sent) := cycle;
            if sent > 0 and cycle - accepted_at(sent - 1) < TRIGGER_IP_INTERVAL then
                report "FAIL interval at event " & integer'image(sent) severity note;
                errors := errors + 1;
            end if;
            sent := sent + 1;
        end if;
        if rst = '0' and m_axis_tvalid = '1' then
            if m_axis_tdata /= EXPECTED(received) then
                report "FAIL event " & integer'image(received) & ": got " & to_hstring(m_axis_tdata)
                    & ", expected " & to_hstring(EXPECTED(received)) severity note;
                errors := errors + 1;
            end if;
            if cycle - accepted_at(received) /= TRIGGER_IP_LATENCY then
                report "FAIL latency " & integer'image(cycle - accepted_at(received)) & " at event "
                    & integer'image(received) severity note;
                errors := errors + 1;
            end if;
            received := received + 1;
        end if;
        if received = EVENTS or cycle > 100 * EVENTS then
            if errors = 0 and received = EVENTS then
                report "PASS " & integer'image(received) severity note;
            else
                report "FAIL " & integer'image(errors) & " errors, " & integer'image(received) & " outputs"
                    severity note;
            end if;
            done <= true;
            wait;
        end if;
    end process;
end architecture;
