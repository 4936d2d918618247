-- AXI4-Stream register slice with a registered tready (a skid buffer): the VHDL-2008 twin of
-- rtl/axis_skid_buffer.v.
--
-- Sits at the output of every unit of a streaming core: s_axis_tready is a register, so no combinational path
-- runs from m_axis_tready to s_axis_tready and a ready path never spans more than one unit. One beat per cycle
-- at full rate, one cycle of latency, two beats of storage (the output register and the skid register that
-- catches the beat accepted in the cycle the sink stops). Beats are never dropped, duplicated or reordered.
-- While rst (synchronous, active high) is high both sides are idle and stored beats are discarded.
library ieee;
use ieee.std_logic_1164.all;

entity axis_skid_buffer is
    generic (
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
end entity axis_skid_buffer;

architecture rtl of axis_skid_buffer is
    signal out_data_reg, skid_data_reg : std_logic_vector(DATA_WIDTH - 1 downto 0);
    signal out_valid_reg, out_last_reg, skid_valid_reg, skid_last_reg : std_logic := '0';
    signal s_ready_reg : std_logic := '0';
    signal accept, out_free, skid_valid_next : std_logic;
begin
    accept <= s_axis_tvalid and s_ready_reg;
    -- the output register is free this cycle: empty, or its beat leaves now
    out_free <= (not out_valid_reg) or m_axis_tready;
    skid_valid_next <= '0' when out_free = '1' else skid_valid_reg or accept;
    s_axis_tready <= s_ready_reg;
    m_axis_tdata <= out_data_reg;
    m_axis_tvalid <= out_valid_reg;
    m_axis_tlast <= out_last_reg;

    process (clk)
    begin
        if rising_edge(clk) then
            if out_free = '1' then
                if skid_valid_reg = '1' then
                    out_data_reg <= skid_data_reg;
                    out_last_reg <= skid_last_reg;
                    out_valid_reg <= '1';
                else
                    out_data_reg <= s_axis_tdata;
                    out_last_reg <= s_axis_tlast;
                    out_valid_reg <= accept;
                end if;
            elsif accept = '1' then
                skid_data_reg <= s_axis_tdata;
                skid_last_reg <= s_axis_tlast;
            end if;
            skid_valid_reg <= skid_valid_next;
            -- ready exactly when the skid register will be empty: a beat accepted next cycle has a place
            s_ready_reg <= not skid_valid_next;
            if rst = '1' then
                out_valid_reg <= '0';
                skid_valid_reg <= '0';
                s_ready_reg <= '0';
            end if;
        end if;
    end process;
end architecture rtl;
