`resetall
/*
 * Nearest up-sampling of a frame streamed one pixel per beat (row-major, channels in a beat).
 *
 * Each input pixel is sent REPEAT_COLS times in a row, and each row of the frame REPEAT_ROWS
 * times: output pixel (r, c) is input pixel (r / REPEAT_ROWS, c / REPEAT_COLS), one per beat,
 * row-major, m_axis_tlast on the output frame's last pixel. The row is kept in a shift register of
 * COLS pixels (no reset) that is rotated once per repeated row; the pixel being repeated is held
 * in the output register. An input pixel is taken only while the first copy of its row is sent,
 * so the frame takes REPEAT_ROWS * REPEAT_COLS cycles per input pixel. s_axis_tlast is not used
 * (frames are counted in pixels). Reset returns to the start of a frame.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module upsample_buffer #
(
    // Input frame size in pixels (1-D streams: ROWS = 1)
    parameter ROWS = 4,
    parameter COLS = 4,
    // Elements per pixel and bits per element
    parameter CHANNELS = 1,
    parameter WIDTH = 8,
    // Copies of each row and of each pixel in a row
    parameter REPEAT_ROWS = 2,
    parameter REPEAT_COLS = 2,
    // Derived: bits of a pixel
    parameter PIXEL_WIDTH = CHANNELS * WIDTH
)
(
    input  wire                   clk,
    input  wire                   rst,

    /* AXI input: one pixel per beat */
    input  wire [PIXEL_WIDTH-1:0] s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */ // frames are counted, not marked
    input  wire                   s_axis_tlast,
    /* verilator lint_on UNUSEDSIGNAL */

    /* AXI output: one pixel per beat */
    output wire [PIXEL_WIDTH-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready,
    output wire                   m_axis_tlast
);

initial begin
    if (ROWS < 1 || COLS < 1 || REPEAT_ROWS < 1 || REPEAT_COLS < 1 || PIXEL_WIDTH < 1) begin
        $error("Error: upsample_buffer needs positive sizes and repeats (instance %m)");
        $finish;
    end
end

localparam ROW_WIDTH = ROWS > 1 ? $clog2(ROWS) : 1;
localparam COL_WIDTH = COLS > 1 ? $clog2(COLS) : 1;
localparam PASS_WIDTH = REPEAT_ROWS > 1 ? $clog2(REPEAT_ROWS) : 1;
localparam REP_WIDTH = REPEAT_COLS > 1 ? $clog2(REPEAT_COLS) : 1;
/* verilator lint_off WIDTH */ // the sizes fit their counters by construction
localparam [ROW_WIDTH-1:0] LAST_ROW = ROWS - 1;
localparam [COL_WIDTH-1:0] LAST_COL = COLS - 1;
localparam [PASS_WIDTH-1:0] LAST_PASS = REPEAT_ROWS - 1;
localparam [REP_WIDTH-1:0] LAST_REP = REPEAT_COLS - 1;
/* verilator lint_on WIDTH */

// where the next output pixel is: input row, copy of the row, input column, copy of the pixel
reg [ROW_WIDTH-1:0] row;
reg [PASS_WIDTH-1:0] pass;
reg [COL_WIDTH-1:0] col;
reg [REP_WIDTH-1:0] rep;
reg [PIXEL_WIDTH-1:0] out_data_reg;
reg out_valid_reg, out_last_reg;

wire out_free = !out_valid_reg || m_axis_tready;
wire first_copy = pass == {PASS_WIDTH{1'b0}};
wire new_pixel = rep == {REP_WIDTH{1'b0}};
// a beat leaves the walk: the first copy of a pixel in the row's first copy needs an input pixel
wire advance = out_free && (!(first_copy && new_pixel) || s_axis_tvalid);
wire last_out = row == LAST_ROW && pass == LAST_PASS && col == LAST_COL && rep == LAST_REP;

// the row, oldest pixel at the top: shifted in during the first copy, rotated during the others
reg [PIXEL_WIDTH-1:0] line [0:COLS-1];
wire [PIXEL_WIDTH-1:0] oldest = line[COLS-1];
wire [PIXEL_WIDTH-1:0] pixel = first_copy ? s_axis_tdata : oldest;
integer k;

assign s_axis_tready = !rst && out_free && first_copy && new_pixel;
assign m_axis_tdata = out_data_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = out_last_reg;

always @(posedge clk) begin
    if (advance && new_pixel) begin
        for (k = COLS - 1; k > 0; k = k - 1) begin
            line[k] <= line[k - 1];
        end
        line[0] <= pixel;
    end
end

always @(posedge clk) begin
    if (out_free) begin
        out_valid_reg <= advance;
    end
    if (advance) begin
        if (new_pixel) begin
            out_data_reg <= pixel;
        end
        out_last_reg <= last_out;
        if (rep == LAST_REP) begin
            rep <= {REP_WIDTH{1'b0}};
            if (col == LAST_COL) begin
                col <= {COL_WIDTH{1'b0}};
                if (pass == LAST_PASS) begin
                    pass <= {PASS_WIDTH{1'b0}};
                    row <= row == LAST_ROW ? {ROW_WIDTH{1'b0}} : row + 1'b1;
                end else begin
                    pass <= pass + 1'b1;
                end
            end else begin
                col <= col + 1'b1;
            end
        end else begin
            rep <= rep + 1'b1;
        end
    end
    if (rst) begin
        row <= {ROW_WIDTH{1'b0}};
        pass <= {PASS_WIDTH{1'b0}};
        col <= {COL_WIDTH{1'b0}};
        rep <= {REP_WIDTH{1'b0}};
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
