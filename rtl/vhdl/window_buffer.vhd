-- Sliding-window generator over a frame streamed one pixel per beat: the VHDL-2008 twin of rtl/window_buffer.v.
--
-- Walks the zero-padded frame (PAD_* zeros around ROWS x COLS pixels) one position per advance: an image
-- position takes the next input beat, a padding position a zero pixel without one. A shift register of
-- (KERNEL_ROWS - 1) * padded row + KERNEL_COLS pixels holds the newest positions (the line buffers; no reset);
-- when the position just filled completes a window (its bottom-right corner on the stride grid) the window is
-- offered on m_axis and the walk waits until it is taken. Element (ky, kx, c) of the window is at bits
-- ((ky * KERNEL_COLS + kx) * CHANNELS + c) * WIDTH and up, the order of a convolution's kernel matrix.
-- m_axis_tlast marks the frame's last window; s_axis_tlast is not used (frames are counted in pixels).
-- Reset (synchronous, active high) returns the walk to the start of a frame.
library ieee;
use ieee.std_logic_1164.all;

entity window_buffer is
    generic (
        -- Frame size in pixels (1-D streams: ROWS = 1)
        ROWS        : positive := 4;
        COLS        : positive := 4;
        -- Elements per pixel and bits per element
        CHANNELS    : positive := 1;
        WIDTH       : positive := 8;
        -- Window size (<= the padded frame)
        KERNEL_ROWS : positive := 3;
        KERNEL_COLS : positive := 3;
        -- Steps between windows
        STRIDE_ROWS : positive := 1;
        STRIDE_COLS : positive := 1;
        -- Zero pixels around the frame (Keras 'same' puts the odd one after)
        PAD_TOP     : natural := 0;
        PAD_BOTTOM  : natural := 0;
        PAD_LEFT    : natural := 0;
        PAD_RIGHT   : natural := 0
    );
    port (
        clk           : in  std_logic;
        rst           : in  std_logic;
        -- AXI input: one pixel per beat
        s_axis_tdata  : in  std_logic_vector(CHANNELS * WIDTH - 1 downto 0);
        s_axis_tvalid : in  std_logic;
        s_axis_tready : out std_logic;
        s_axis_tlast  : in  std_logic;
        -- AXI output: one window per beat
        m_axis_tdata  : out std_logic_vector(KERNEL_ROWS * KERNEL_COLS * CHANNELS * WIDTH - 1 downto 0);
        m_axis_tvalid : out std_logic;
        m_axis_tready : in  std_logic;
        m_axis_tlast  : out std_logic
    );
end entity window_buffer;

architecture rtl of window_buffer is
    constant PIXEL_WIDTH : positive := CHANNELS * WIDTH;
    constant PADDED_ROWS : positive := ROWS + PAD_TOP + PAD_BOTTOM;
    constant PADDED_COLS : positive := COLS + PAD_LEFT + PAD_RIGHT;
    constant TAP_COUNT   : positive := (KERNEL_ROWS - 1) * PADDED_COLS + KERNEL_COLS;
    -- the bottom-right corner of the frame's last window
    constant LAST_ROW : natural := KERNEL_ROWS - 1 + (PADDED_ROWS - KERNEL_ROWS) / STRIDE_ROWS * STRIDE_ROWS;
    constant LAST_COL : natural := KERNEL_COLS - 1 + (PADDED_COLS - KERNEL_COLS) / STRIDE_COLS * STRIDE_COLS;
    type tap_array is array (0 to TAP_COUNT - 1) of std_logic_vector(PIXEL_WIDTH - 1 downto 0);
    signal taps : tap_array;
    signal row_reg : natural range 0 to PADDED_ROWS - 1 := 0;
    signal col_reg : natural range 0 to PADDED_COLS - 1 := 0;
    -- stride phase of the current row/column, counted from the first window corner
    signal row_phase_reg : natural range 0 to STRIDE_ROWS - 1 := 0;
    signal col_phase_reg : natural range 0 to STRIDE_COLS - 1 := 0;
    signal window_valid_reg, window_last_reg : std_logic := '0';
    signal padding, window_free, advance, row_started, col_started, completes : std_logic;
begin
    assert KERNEL_ROWS <= PADDED_ROWS and KERNEL_COLS <= PADDED_COLS
        report "window_buffer needs a window no larger than the padded frame" severity failure;

    padding <= '0' when row_reg >= PAD_TOP and row_reg < PAD_TOP + ROWS and col_reg >= PAD_LEFT and
                        col_reg < PAD_LEFT + COLS else '1';
    window_free <= (not window_valid_reg) or m_axis_tready;
    advance <= window_free and (padding or s_axis_tvalid) and not rst;
    row_started <= '1' when row_reg >= KERNEL_ROWS - 1 else '0';
    col_started <= '1' when col_reg >= KERNEL_COLS - 1 else '0';
    completes <= '1' when row_started = '1' and row_phase_reg = 0 and col_started = '1' and col_phase_reg = 0
                 else '0';

    s_axis_tready <= window_free and (not padding) and not rst;
    m_axis_tvalid <= window_valid_reg;
    m_axis_tlast <= window_last_reg;

    g_row : for ky in 0 to KERNEL_ROWS - 1 generate
        g_col : for kx in 0 to KERNEL_COLS - 1 generate
            -- the pixel (KERNEL_ROWS-1-ky) rows and (KERNEL_COLS-1-kx) columns before the newest
            m_axis_tdata((ky * KERNEL_COLS + kx + 1) * PIXEL_WIDTH - 1 downto (ky * KERNEL_COLS + kx) * PIXEL_WIDTH)
                <= taps((KERNEL_ROWS - 1 - ky) * PADDED_COLS + KERNEL_COLS - 1 - kx);
        end generate;
    end generate;

    shift : process (clk)
    begin
        if rising_edge(clk) then
            if advance = '1' then
                if padding = '1' then
                    taps(0) <= (others => '0');
                else
                    taps(0) <= s_axis_tdata;
                end if;
                for i in 1 to TAP_COUNT - 1 loop
                    taps(i) <= taps(i - 1);
                end loop;
            end if;
        end if;
    end process;

    walk : process (clk)
    begin
        if rising_edge(clk) then
            if advance = '1' then
                window_valid_reg <= completes;
                if row_reg = LAST_ROW and col_reg = LAST_COL then
                    window_last_reg <= '1';
                else
                    window_last_reg <= '0';
                end if;
                if col_reg = PADDED_COLS - 1 then
                    col_reg <= 0;
                    col_phase_reg <= 0;
                    if row_reg = PADDED_ROWS - 1 then
                        row_reg <= 0;
                        row_phase_reg <= 0;
                    else
                        row_reg <= row_reg + 1;
                        if row_started = '0' or row_phase_reg = STRIDE_ROWS - 1 then
                            row_phase_reg <= 0;
                        else
                            row_phase_reg <= row_phase_reg + 1;
                        end if;
                    end if;
                else
                    col_reg <= col_reg + 1;
                    if col_started = '0' or col_phase_reg = STRIDE_COLS - 1 then
                        col_phase_reg <= 0;
                    else
                        col_phase_reg <= col_phase_reg + 1;
                    end if;
                end if;
            elsif m_axis_tready = '1' then
                window_valid_reg <= '0';
            end if;
            if rst = '1' then
                row_reg <= 0;
                col_reg <= 0;
                row_phase_reg <= 0;
                col_phase_reg <= 0;
                window_valid_reg <= '0';
                window_last_reg <= '0';
            end if;
        end if;
    end process;
end architecture rtl;
