-- Flow control for a fixed-depth pipeline between an AXI-stream slave and master: the VHDL-2008 twin of
-- rtl/axis_pipeline_control.v.
--
-- The datapath registers all advance on one clock enable `ce`. A valid bit (and tlast) travels beside each
-- event; the pipeline stalls only when its last stage holds an event the sink does not accept, so with
-- m_axis_tready high the latency is exactly LATENCY cycles and one event is accepted every INTERVAL cycles
-- (after an accepted event s_axis_tready stays low for INTERVAL-1 enabled cycles). Events are never dropped,
-- duplicated or reordered. While rst (synchronous, active high) is high, s_axis_tready and m_axis_tvalid
-- are low and every event in flight is discarded. Note: s_axis_tready depends combinationally on
-- m_axis_tready.
library ieee;
use ieee.std_logic_1164.all;

entity axis_pipeline_control is
    generic (
        -- Number of register stages in the datapath (>= 1)
        LATENCY  : positive := 4;
        -- Minimum number of enabled cycles between accepted events (>= 1)
        INTERVAL : positive := 1
    );
    port (
        clk           : in  std_logic;
        rst           : in  std_logic;
        -- AXI input handshake
        s_axis_tvalid : in  std_logic;
        s_axis_tready : out std_logic;
        s_axis_tlast  : in  std_logic;
        -- AXI output handshake
        m_axis_tvalid : out std_logic;
        m_axis_tready : in  std_logic;
        m_axis_tlast  : out std_logic;
        -- Datapath control
        ce            : out std_logic;
        stage_valid   : out std_logic_vector(LATENCY - 1 downto 0)
    );
end entity axis_pipeline_control;

architecture rtl of axis_pipeline_control is
    signal valid_reg, last_reg : std_logic_vector(LATENCY - 1 downto 0);
    signal enable, ready, accept, interval_done : std_logic;
    -- Enabled cycles still to wait before the next event may be accepted
    signal wait_count : natural range 0 to INTERVAL - 1;
begin
    enable <= (not valid_reg(LATENCY - 1)) or m_axis_tready;
    interval_done <= '1' when wait_count = 0 else '0';
    ready <= enable and (not rst) and interval_done;
    accept <= s_axis_tvalid and ready;
    ce <= enable;
    s_axis_tready <= ready;
    m_axis_tvalid <= valid_reg(LATENCY - 1) and not rst;
    m_axis_tlast <= last_reg(LATENCY - 1);
    stage_valid <= valid_reg;

    process (clk)
    begin
        if rising_edge(clk) then
            if enable = '1' then
                if LATENCY = 1 then
                    valid_reg(0) <= accept;
                    last_reg(0) <= s_axis_tlast;
                else
                    valid_reg <= valid_reg(LATENCY - 2 downto 0) & accept;
                    last_reg <= last_reg(LATENCY - 2 downto 0) & s_axis_tlast;
                end if;
                if accept = '1' then
                    wait_count <= INTERVAL - 1;
                elsif wait_count /= 0 then
                    wait_count <= wait_count - 1;
                end if;
            end if;
            if rst = '1' then
                valid_reg <= (others => '0');
                wait_count <= 0;
            end if;
        end if;
    end process;
end architecture rtl;
