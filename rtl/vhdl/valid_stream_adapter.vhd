-- Fixed-latency valid-in / valid-out port for trigger paths without backpressure: the VHDL-2008 twin of
-- rtl/valid_stream_adapter.v.
--
-- in_valid/in_data feed the core's AXI-stream input; its output is always accepted, so out_valid/out_data
-- follow in_valid exactly LATENCY cycles later. A core with an initiation interval above 1 cannot take an
-- event every cycle: an in_valid the core is not ready for (or one during reset) is dropped and sets the
-- sticky `overrun` flag, cleared by rst (synchronous, active high), so a lost event is never silent.
library ieee;
use ieee.std_logic_1164.all;

entity valid_stream_adapter is
    generic (
        IN_WIDTH  : positive := 8;
        OUT_WIDTH : positive := 8
    );
    port (
        clk           : in  std_logic;
        rst           : in  std_logic;
        in_valid      : in  std_logic;
        in_data       : in  std_logic_vector(IN_WIDTH - 1 downto 0);
        out_valid     : out std_logic;
        out_data      : out std_logic_vector(OUT_WIDTH - 1 downto 0);
        overrun       : out std_logic;
        -- to the core
        s_axis_tdata  : out std_logic_vector(IN_WIDTH - 1 downto 0);
        s_axis_tvalid : out std_logic;
        s_axis_tready : in  std_logic;
        s_axis_tlast  : out std_logic;
        m_axis_tdata  : in  std_logic_vector(OUT_WIDTH - 1 downto 0);
        m_axis_tvalid : in  std_logic;
        m_axis_tready : out std_logic;
        m_axis_tlast  : in  std_logic  -- one event per valid: tlast carries nothing here
    );
end entity valid_stream_adapter;

architecture rtl of valid_stream_adapter is
    signal overrun_reg : std_logic;
begin
    s_axis_tdata <= in_data;
    s_axis_tvalid <= in_valid;
    s_axis_tlast <= '1';
    m_axis_tready <= '1';
    out_valid <= m_axis_tvalid;
    out_data <= m_axis_tdata;
    overrun <= overrun_reg;

    process (clk)
    begin
        if rising_edge(clk) then
            if in_valid = '1' and s_axis_tready = '0' then
                overrun_reg <= '1';
            end if;
            if rst = '1' then
                overrun_reg <= '0';
            end if;
        end if;
    end process;
end architecture rtl;
