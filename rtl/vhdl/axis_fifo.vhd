-- AXI4-Stream FIFO of DEPTH beats, first word fall-through: the VHDL-2008 twin of rtl/axis_fifo.v.
--
-- A fork's branches run ahead of each other (a skip connection delivers a pixel long before the convolution beside
-- it has seen the rows it needs); the FIFO on each reader's side holds what one branch has taken and the other not
-- yet. rtl4ml sizes DEPTH from the core's timing model: the least depth at which the core keeps its full-rate
-- latency and interval. s_axis_tready and m_axis_tvalid are registers (full and empty flags of the next count), so
-- no combinational path runs through the FIFO. The storage has no reset and is read asynchronously (distributed
-- RAM / LUTRAM, or registers for a few beats). A beat written into an empty FIFO is offered the next cycle; one
-- beat in and one out per cycle at full rate. While rst (synchronous, active high) is high both sides are idle and
-- stored beats are discarded.
library ieee;
use ieee.std_logic_1164.all;

entity axis_fifo is
    generic (
        -- Beats stored (>= 1)
        DEPTH      : positive := 4;
        -- Beat width in bits (>= 1)
        DATA_WIDTH : positive := 8
    );
    port (
        clk           : in  std_logic;
        rst           : in  std_logic;
        -- AXI input
        s_axis_tdata  : in  std_logic_vector(DATA_WIDTH - 1 downto 0);
        s_axis_tvalid : in  std_logic;
        s_axis_tready : out std_logic;
        s_axis_tlast  : in  std_logic;
        -- AXI output
        m_axis_tdata  : out std_logic_vector(DATA_WIDTH - 1 downto 0);
        m_axis_tvalid : out std_logic;
        m_axis_tready : in  std_logic;
        m_axis_tlast  : out std_logic
    );
end entity axis_fifo;

architecture rtl of axis_fifo is
    type memory_t is array (0 to DEPTH - 1) of std_logic_vector(DATA_WIDTH downto 0);  -- tlast & tdata
    signal memory : memory_t;
    signal write_addr_reg, read_addr_reg : natural range 0 to DEPTH - 1 := 0;
    signal count_reg : natural range 0 to DEPTH := 0;
    signal s_ready_reg, m_valid_reg : std_logic := '0';
    signal write, read : boolean;
    signal count_next : integer;  -- no range: it may pass through -1 or DEPTH + 1 between delta cycles
begin
    write <= s_axis_tvalid = '1' and s_ready_reg = '1';
    read <= m_valid_reg = '1' and m_axis_tready = '1';
    count_next <= count_reg + 1 when write and not read else
                  count_reg - 1 when read and not write else
                  count_reg;
    s_axis_tready <= s_ready_reg;
    m_axis_tvalid <= m_valid_reg;
    m_axis_tdata <= memory(read_addr_reg)(DATA_WIDTH - 1 downto 0);
    m_axis_tlast <= memory(read_addr_reg)(DATA_WIDTH);

    process (clk)
    begin
        if rising_edge(clk) then
            if write then
                memory(write_addr_reg) <= s_axis_tlast & s_axis_tdata;
                write_addr_reg <= 0 when write_addr_reg = DEPTH - 1 else write_addr_reg + 1;
            end if;
            if read then
                read_addr_reg <= 0 when read_addr_reg = DEPTH - 1 else read_addr_reg + 1;
            end if;
            count_reg <= count_next;
            s_ready_reg <= '1' when count_next /= DEPTH else '0';
            m_valid_reg <= '1' when count_next /= 0 else '0';
            if rst = '1' then
                write_addr_reg <= 0;
                read_addr_reg <= 0;
                count_reg <= 0;
                s_ready_reg <= '0';
                m_valid_reg <= '0';
            end if;
        end if;
    end process;
end architecture rtl;
