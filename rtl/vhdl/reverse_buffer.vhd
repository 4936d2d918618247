-- A frame streamed one pixel per beat (a sequence, a step per beat), sent back last pixel first: the VHDL-2008 twin
-- of rtl/reverse_buffer.v.
--
-- The frame is written into a memory of STEPS pixels; once its last pixel is in, it is read out from the other end,
-- one pixel per beat, m_axis_tlast on the frame's last output beat. The next frame is written while the stored one is
-- read, each pixel into the place the read frees (in the same cycle at the latest: the read takes the old contents):
-- the frames alternate between ascending and descending addresses, so one frame of memory keeps a frame every STEPS
-- cycles. The memory has no reset and a registered read. s_axis_tready depends on m_axis_tready (a write may take the
-- place read in that cycle); the skid buffer after it in a core registers it. s_axis_tlast is not used (frames are
-- counted in pixels). Reset (synchronous, active high) empties the buffer and restarts the frame.
library ieee;
use ieee.std_logic_1164.all;

entity reverse_buffer is
    generic (
        STEPS    : positive := 4;
        CHANNELS : positive := 1;
        WIDTH    : positive := 8
    );
    port (
        clk           : in  std_logic;
        rst           : in  std_logic;
        -- AXI input: one pixel per beat
        s_axis_tdata  : in  std_logic_vector(CHANNELS * WIDTH - 1 downto 0);
        s_axis_tvalid : in  std_logic;
        s_axis_tready : out std_logic;
        s_axis_tlast  : in  std_logic;
        -- AXI output: one pixel per beat, the frame's last pixel first
        m_axis_tdata  : out std_logic_vector(CHANNELS * WIDTH - 1 downto 0);
        m_axis_tvalid : out std_logic;
        m_axis_tready : in  std_logic;
        m_axis_tlast  : out std_logic
    );
end entity reverse_buffer;

architecture rtl of reverse_buffer is
    subtype pixel_t is std_logic_vector(CHANNELS * WIDTH - 1 downto 0);
    type memory_t is array (0 to STEPS - 1) of pixel_t;
    signal memory : memory_t;
    signal written : natural range 0 to STEPS - 1 := 0;  -- pixels of the incoming frame stored
    signal sent : natural range 0 to STEPS := 0;  -- pixels of the stored frame read out
    signal stored : boolean := false;  -- a whole frame is stored and not yet read out
    signal ascending : boolean := true;  -- the incoming frame's pixel k goes to address k (else STEPS-1-k)
    signal out_data_reg : pixel_t;
    signal out_valid_reg, out_last_reg : std_logic := '0';
    signal out_free, read, write, ready : boolean;
    signal write_addr, read_addr : natural range 0 to STEPS - 1;
begin
    out_free <= out_valid_reg = '0' or m_axis_tready = '1';
    read <= stored and out_free;
    -- a write takes a place already read, or the one read in this cycle
    ready <= rst = '0' and (not stored or written < sent or (written = sent and out_free));
    write <= s_axis_tvalid = '1' and ready;
    -- the stored frame went the other way: its last pixel is where the incoming frame's first one goes
    write_addr <= written when ascending else STEPS - 1 - written;
    read_addr <= 0 when sent = STEPS else sent when ascending else STEPS - 1 - sent;  -- STEPS: nothing to read

    s_axis_tready <= '1' when ready else '0';
    m_axis_tdata <= out_data_reg;
    m_axis_tvalid <= out_valid_reg;
    m_axis_tlast <= out_last_reg;

    ram : process (clk)
    begin
        if rising_edge(clk) then
            if write then
                memory(write_addr) <= s_axis_tdata;
            end if;
            if read then
                out_data_reg <= memory(read_addr);
            end if;
        end if;
    end process;

    control : process (clk)
    begin
        if rising_edge(clk) then
            if out_free then
                out_valid_reg <= '1' when read else '0';
            end if;
            if read then
                out_last_reg <= '1' when sent = STEPS - 1 else '0';
                sent <= sent + 1;
                if sent = STEPS - 1 then
                    stored <= false;
                end if;
            end if;
            if write then
                if written = STEPS - 1 then
                    written <= 0;
                    sent <= 0;
                    stored <= true;
                    ascending <= not ascending;
                else
                    written <= written + 1;
                end if;
            end if;
            if rst = '1' then
                written <= 0;
                sent <= 0;
                stored <= false;
                ascending <= true;
                out_valid_reg <= '0';
            end if;
        end if;
    end process;
end architecture rtl;
