-- Nearest up-sampling of a frame streamed one pixel per beat: the VHDL-2008 twin of rtl/upsample_buffer.v.
--
-- Each input pixel is sent REPEAT_COLS times in a row, and each row of the frame REPEAT_ROWS times: output pixel
-- (r, c) is input pixel (r / REPEAT_ROWS, c / REPEAT_COLS), one per beat, row-major, m_axis_tlast on the output
-- frame's last pixel. The row is kept in a shift register of COLS pixels (no reset) that is rotated once per
-- repeated row; the pixel being repeated is held in the output register. An input pixel is taken only while the
-- first copy of its row is sent. s_axis_tlast is not used (frames are counted in pixels). Reset (synchronous,
-- active high) returns to the start of a frame.
library ieee;
use ieee.std_logic_1164.all;

entity upsample_buffer is
    generic (
        ROWS        : positive := 4;
        COLS        : positive := 4;
        CHANNELS    : positive := 1;
        WIDTH       : positive := 8;
        REPEAT_ROWS : positive := 2;
        REPEAT_COLS : positive := 2
    );
    port (
        clk           : in  std_logic;
        rst           : in  std_logic;
        -- AXI input: one pixel per beat
        s_axis_tdata  : in  std_logic_vector(CHANNELS * WIDTH - 1 downto 0);
        s_axis_tvalid : in  std_logic;
        s_axis_tready : out std_logic;
        s_axis_tlast  : in  std_logic;
        -- AXI output: one pixel per beat
        m_axis_tdata  : out std_logic_vector(CHANNELS * WIDTH - 1 downto 0);
        m_axis_tvalid : out std_logic;
        m_axis_tready : in  std_logic;
        m_axis_tlast  : out std_logic
    );
end entity upsample_buffer;

architecture rtl of upsample_buffer is
    subtype pixel_t is std_logic_vector(CHANNELS * WIDTH - 1 downto 0);
    type line_t is array (0 to COLS - 1) of pixel_t;
    signal line : line_t;
    -- where the next output pixel is: input row, copy of the row, input column, copy of the pixel
    signal row : natural range 0 to ROWS - 1 := 0;
    signal pass : natural range 0 to REPEAT_ROWS - 1 := 0;
    signal col : natural range 0 to COLS - 1 := 0;
    signal rep : natural range 0 to REPEAT_COLS - 1 := 0;
    signal out_data_reg : pixel_t;
    signal out_valid_reg, out_last_reg : std_logic := '0';
    signal out_free, first_copy, new_pixel, advance, last_out : boolean;
    signal pixel : pixel_t;
begin
    out_free <= out_valid_reg = '0' or m_axis_tready = '1';
    first_copy <= pass = 0;
    new_pixel <= rep = 0;
    -- a beat leaves the walk: the first copy of a pixel in the row's first copy needs an input pixel
    advance <= out_free and (not (first_copy and new_pixel) or s_axis_tvalid = '1');
    last_out <= row = ROWS - 1 and pass = REPEAT_ROWS - 1 and col = COLS - 1 and rep = REPEAT_COLS - 1;
    pixel <= s_axis_tdata when first_copy else line(COLS - 1);

    s_axis_tready <= '1' when rst = '0' and out_free and first_copy and new_pixel else '0';
    m_axis_tdata <= out_data_reg;
    m_axis_tvalid <= out_valid_reg;
    m_axis_tlast <= out_last_reg;

    -- the row, oldest pixel at the top: shifted in during the first copy, rotated during the others
    row_buffer : process (clk)
    begin
        if rising_edge(clk) then
            if advance and new_pixel then
                for k in COLS - 1 downto 1 loop
                    line(k) <= line(k - 1);
                end loop;
                line(0) <= pixel;
            end if;
        end if;
    end process;

    walk : process (clk)
    begin
        if rising_edge(clk) then
            if out_free then
                out_valid_reg <= '1' when advance else '0';
            end if;
            if advance then
                if new_pixel then
                    out_data_reg <= pixel;
                end if;
                out_last_reg <= '1' when last_out else '0';
                if rep = REPEAT_COLS - 1 then
                    rep <= 0;
                    if col = COLS - 1 then
                        col <= 0;
                        if pass = REPEAT_ROWS - 1 then
                            pass <= 0;
                            row <= 0 when row = ROWS - 1 else row + 1;
                        else
                            pass <= pass + 1;
                        end if;
                    else
                        col <= col + 1;
                    end if;
                else
                    rep <= rep + 1;
                end if;
            end if;
            if rst = '1' then
                row <= 0;
                pass <= 0;
                col <= 0;
                rep <= 0;
                out_valid_reg <= '0';
            end if;
        end if;
    end process;
end architecture rtl;
