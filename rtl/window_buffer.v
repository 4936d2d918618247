/*
 * Sliding-window generator over a frame streamed one pixel per beat (row-major, channels in a beat).
 *
 * Walks the zero-padded frame (PAD_* zeros around ROWS x COLS pixels) one position per
 * advance: an image position takes the next input beat, a padding position a zero pixel
 * without one. A shift register of (KERNEL_ROWS - 1) * padded row + KERNEL_COLS pixels
 * holds the newest positions (the line buffers; no reset, so synthesis maps the untapped
 * runs to shift-register LUTs); when the position just filled completes a window (its
 * bottom-right corner on the stride grid) the window is offered on m_axis and the walk
 * waits until it is taken. The window is read straight from the taps: element
 * (ky, kx, c) at bits [((ky * KERNEL_COLS + kx) * CHANNELS + c) * WIDTH +: WIDTH], the
 * order of a convolution's kernel matrix. m_axis_tlast marks the frame's last window;
 * s_axis_tlast is not used (frames are counted in pixels). A 1 x 1 window is a pixel
 * register that marks frames; a window as large as the frame collects it (Flatten).
 * Reset returns the walk to the start of a frame.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module window_buffer #
(
    // Frame size in pixels (1-D streams: ROWS = 1)
    parameter ROWS = 4,
    parameter COLS = 4,
    // Elements per pixel and bits per element
    parameter CHANNELS = 1,
    parameter WIDTH = 8,
    // Window size (<= the padded frame)
    parameter KERNEL_ROWS = 3,
    parameter KERNEL_COLS = 3,
    // Steps between windows (>= 1)
    parameter STRIDE_ROWS = 1,
    parameter STRIDE_COLS = 1,
    // Zero pixels around the frame (Keras 'same' puts the odd one after)
    parameter PAD_TOP = 0,
    parameter PAD_BOTTOM = 0,
    parameter PAD_LEFT = 0,
    parameter PAD_RIGHT = 0,
    // Derived: bits of a pixel and of a window
    parameter PIXEL_WIDTH = CHANNELS * WIDTH,
    parameter WINDOW_WIDTH = KERNEL_ROWS * KERNEL_COLS * PIXEL_WIDTH
)
(
    input  wire                    clk,
    input  wire                    rst,

    /* AXI input: one pixel per beat */
    input  wire [PIXEL_WIDTH-1:0]  s_axis_tdata,
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */ // frames are counted, not marked
    input  wire                    s_axis_tlast,
    /* verilator lint_on UNUSEDSIGNAL */

    /* AXI output: one window per beat */
    output wire [WINDOW_WIDTH-1:0] m_axis_tdata,
    output wire                    m_axis_tvalid,
    input  wire                    m_axis_tready,
    output wire                    m_axis_tlast
);

localparam PADDED_ROWS = ROWS + PAD_TOP + PAD_BOTTOM;
localparam PADDED_COLS = COLS + PAD_LEFT + PAD_RIGHT;
localparam TAPS = (KERNEL_ROWS - 1) * PADDED_COLS + KERNEL_COLS;
// the bottom-right corner of the frame's last window
localparam LAST_ROW = KERNEL_ROWS - 1 + (PADDED_ROWS - KERNEL_ROWS) / STRIDE_ROWS * STRIDE_ROWS;
localparam LAST_COL = KERNEL_COLS - 1 + (PADDED_COLS - KERNEL_COLS) / STRIDE_COLS * STRIDE_COLS;
localparam ROW_BITS = $clog2(PADDED_ROWS + 1);
localparam COL_BITS = $clog2(PADDED_COLS + 1);
localparam ROW_PHASE_BITS = $clog2(STRIDE_ROWS + 1);
localparam COL_PHASE_BITS = $clog2(STRIDE_COLS + 1);

initial begin
    if (ROWS < 1 || COLS < 1 || CHANNELS < 1 || WIDTH < 1 || STRIDE_ROWS < 1 || STRIDE_COLS < 1 ||
            PAD_TOP < 0 || PAD_BOTTOM < 0 || PAD_LEFT < 0 || PAD_RIGHT < 0 ||
            KERNEL_ROWS < 1 || KERNEL_COLS < 1 || KERNEL_ROWS > PADDED_ROWS || KERNEL_COLS > PADDED_COLS) begin
        $error("Error: window_buffer needs a window no larger than the padded frame and positive sizes (instance %m)");
        $finish;
    end
end

reg [PIXEL_WIDTH-1:0] taps [0:TAPS-1];
reg [ROW_BITS-1:0] row_reg;
reg [COL_BITS-1:0] col_reg;
// stride phase of the current row/column, counted from the first window corner
reg [ROW_PHASE_BITS-1:0] row_phase_reg;
reg [COL_PHASE_BITS-1:0] col_phase_reg;
reg window_valid_reg;
reg window_last_reg;

// comparisons with a bound of 0 are left out where they are constant (lint-clean for every parameter set)
wire above, left_of, row_started, col_started;
generate
    if (PAD_TOP > 0) begin : g_pad_top
        assign above = row_reg < PAD_TOP;
    end else begin : g_no_pad_top
        assign above = 1'b0;
    end
    if (PAD_LEFT > 0) begin : g_pad_left
        assign left_of = col_reg < PAD_LEFT;
    end else begin : g_no_pad_left
        assign left_of = 1'b0;
    end
    if (KERNEL_ROWS > 1) begin : g_tall
        assign row_started = row_reg >= KERNEL_ROWS - 1;
    end else begin : g_flat
        assign row_started = 1'b1;
    end
    if (KERNEL_COLS > 1) begin : g_wide
        assign col_started = col_reg >= KERNEL_COLS - 1;
    end else begin : g_narrow
        assign col_started = 1'b1;
    end
endgenerate

wire padding = above || row_reg >= PAD_TOP + ROWS || left_of || col_reg >= PAD_LEFT + COLS;
wire window_free = !window_valid_reg || m_axis_tready;
wire advance = window_free && (padding || s_axis_tvalid) && !rst;
wire completes = row_started && row_phase_reg == 0 && col_started && col_phase_reg == 0;
wire last_col = col_reg == PADDED_COLS - 1;

assign s_axis_tready = window_free && !padding && !rst;
assign m_axis_tvalid = window_valid_reg;
assign m_axis_tlast = window_last_reg;

genvar ky, kx;
generate
    for (ky = 0; ky < KERNEL_ROWS; ky = ky + 1) begin : g_row
        for (kx = 0; kx < KERNEL_COLS; kx = kx + 1) begin : g_col
            // the pixel (KERNEL_ROWS-1-ky) rows and (KERNEL_COLS-1-kx) columns before the newest
            assign m_axis_tdata[(ky * KERNEL_COLS + kx) * PIXEL_WIDTH +: PIXEL_WIDTH] =
                taps[(KERNEL_ROWS - 1 - ky) * PADDED_COLS + KERNEL_COLS - 1 - kx];
        end
    end
endgenerate

integer i;
always @(posedge clk) begin
    if (advance) begin
        taps[0] <= padding ? {PIXEL_WIDTH{1'b0}} : s_axis_tdata;
        for (i = 1; i < TAPS; i = i + 1) begin
            taps[i] <= taps[i - 1];
        end
    end
end

always @(posedge clk) begin
    if (advance) begin
        window_valid_reg <= completes;
        window_last_reg <= row_reg == LAST_ROW && col_reg == LAST_COL;
        if (last_col) begin
            col_reg <= {COL_BITS{1'b0}};
            col_phase_reg <= {COL_PHASE_BITS{1'b0}};
            if (row_reg == PADDED_ROWS - 1) begin
                row_reg <= {ROW_BITS{1'b0}};
                row_phase_reg <= {ROW_PHASE_BITS{1'b0}};
            end else begin
                row_reg <= row_reg + 1'b1;
                row_phase_reg <= (!row_started || row_phase_reg == STRIDE_ROWS - 1) ?
                    {ROW_PHASE_BITS{1'b0}} : row_phase_reg + 1'b1;
            end
        end else begin
            col_reg <= col_reg + 1'b1;
            col_phase_reg <= (!col_started || col_phase_reg == STRIDE_COLS - 1) ?
                {COL_PHASE_BITS{1'b0}} : col_phase_reg + 1'b1;
        end
    end else if (m_axis_tready) begin
        window_valid_reg <= 1'b0;
    end
    if (rst) begin
        row_reg <= {ROW_BITS{1'b0}};
        col_reg <= {COL_BITS{1'b0}};
        row_phase_reg <= {ROW_PHASE_BITS{1'b0}};
        col_phase_reg <= {COL_PHASE_BITS{1'b0}};
        window_valid_reg <= 1'b0;
        window_last_reg <= 1'b0;
    end
end

endmodule

`resetall
