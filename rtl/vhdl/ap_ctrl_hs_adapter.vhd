-- Block-level ap_ctrl_hs handshake (as on Vitis HLS IP) in front of an AXI-stream core: the VHDL-2008 twin of
-- rtl/ap_ctrl_hs_adapter.v.
--
-- ap_start offers in_data; the core takes it in the cycle ap_ready is high (ap_ready = ap_start and core
-- ready). ap_done is high for the one cycle out_data is valid (out_data_ap_vld is the same pulse); the sink must
-- take it then, because the core's output is always accepted (m_axis_tready = 1), so the core never stalls and
-- its latency is fixed. ap_idle is high when no start is pending and nothing is in flight. ap_rst is
-- synchronous, active high.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity ap_ctrl_hs_adapter is
    generic (
        IN_WIDTH      : positive := 8;
        OUT_WIDTH     : positive := 8;
        -- Events that can be in flight at once (the core's latency is enough)
        MAX_IN_FLIGHT : positive := 16
    );
    port (
        ap_clk          : in  std_logic;
        ap_rst          : in  std_logic;
        ap_start        : in  std_logic;
        ap_ready        : out std_logic;
        ap_done         : out std_logic;
        ap_idle         : out std_logic;
        in_data         : in  std_logic_vector(IN_WIDTH - 1 downto 0);
        out_data        : out std_logic_vector(OUT_WIDTH - 1 downto 0);
        out_data_ap_vld : out std_logic;
        -- to the core
        s_axis_tdata    : out std_logic_vector(IN_WIDTH - 1 downto 0);
        s_axis_tvalid   : out std_logic;
        s_axis_tready   : in  std_logic;
        s_axis_tlast    : out std_logic;
        m_axis_tdata    : in  std_logic_vector(OUT_WIDTH - 1 downto 0);
        m_axis_tvalid   : in  std_logic;
        m_axis_tready   : out std_logic;
        m_axis_tlast    : in  std_logic  -- one event per start: tlast carries nothing here
    );
end entity ap_ctrl_hs_adapter;

architecture rtl of ap_ctrl_hs_adapter is
    function bits_for(n : natural) return positive is  -- ceil(log2(n + 1)): holds 0 .. n
        variable bits : positive := 1;
    begin
        while 2 ** bits <= n loop
            bits := bits + 1;
        end loop;
        return bits;
    end function;

    signal in_flight : unsigned(bits_for(MAX_IN_FLIGHT) - 1 downto 0);
    signal ready : std_logic;
begin
    s_axis_tdata <= in_data;
    s_axis_tvalid <= ap_start;
    s_axis_tlast <= '1';
    ready <= ap_start and s_axis_tready;
    ap_ready <= ready;
    m_axis_tready <= '1';
    out_data <= m_axis_tdata;
    out_data_ap_vld <= m_axis_tvalid;
    ap_done <= m_axis_tvalid;
    ap_idle <= '1' when ap_start = '0' and in_flight = 0 else '0';

    process (ap_clk)
    begin
        if rising_edge(ap_clk) then
            if ready = '1' and m_axis_tvalid = '0' then
                in_flight <= in_flight + 1;
            elsif m_axis_tvalid = '1' and ready = '0' then
                in_flight <= in_flight - 1;
            end if;
            if ap_rst = '1' then
                in_flight <= (others => '0');
            end if;
        end if;
    end process;
end architecture rtl;
