`resetall
/*
 * A frame streamed one pixel per beat (a sequence, a step per beat), sent back last pixel first.
 *
 * The frame is written into a memory of STEPS pixels; once its last pixel is in, it is read out
 * from the other end, one pixel per beat, m_axis_tlast on the frame's last output beat. The next
 * frame is written while the stored one is read, each pixel into the place the read frees (in
 * the same cycle at the latest: the read takes the old contents): the frames alternate between
 * ascending and descending addresses, so one frame of memory keeps a frame every STEPS cycles.
 * The memory has no reset and a registered read (block or distributed RAM, as the tool chooses by
 * size). s_axis_tready depends on m_axis_tready (a write may take the place read in that cycle);
 * the skid buffer after it in a core registers it. s_axis_tlast is not used (frames are counted
 * in pixels). Reset empties the buffer and restarts the frame.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module reverse_buffer #
(
    // Pixels per frame (a sequence's steps)
    parameter STEPS = 4,
    // Elements per pixel and bits per element
    parameter CHANNELS = 1,
    parameter WIDTH = 8,
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

    /* AXI output: one pixel per beat, the frame's last pixel first */
    output wire [PIXEL_WIDTH-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready,
    output wire                   m_axis_tlast
);

initial begin
    if (STEPS < 1 || PIXEL_WIDTH < 1) begin
        $error("Error: reverse_buffer needs a positive frame and pixel width (instance %m)");
        $finish;
    end
end

localparam COUNT_WIDTH = $clog2(STEPS + 1);
localparam ADDR_WIDTH = STEPS > 1 ? $clog2(STEPS) : 1;
/* verilator lint_off WIDTH */ // the sizes fit their counters by construction
localparam [COUNT_WIDTH-1:0] LAST = STEPS - 1;
localparam [ADDR_WIDTH-1:0] LAST_ADDR = STEPS - 1;
/* verilator lint_on WIDTH */

reg [PIXEL_WIDTH-1:0] memory [0:STEPS-1];
reg [COUNT_WIDTH-1:0] written;  // pixels of the incoming frame stored
reg [COUNT_WIDTH-1:0] sent;     // pixels of the stored frame read out
reg stored;                     // a whole frame is stored and not yet read out
reg ascending;                  // the incoming frame's pixel k goes to address k (else STEPS-1-k)
reg [PIXEL_WIDTH-1:0] out_data_reg;
reg out_valid_reg, out_last_reg;

wire out_free = !out_valid_reg || m_axis_tready;
wire read = stored && out_free;
wire write = s_axis_tvalid && s_axis_tready;
// the stored frame went the other way: its last pixel is where the incoming frame's first one goes
/* verilator lint_off WIDTH */
wire [ADDR_WIDTH-1:0] write_addr = ascending ? written : LAST_ADDR - written;
wire [ADDR_WIDTH-1:0] read_addr = ascending ? sent : LAST_ADDR - sent;
/* verilator lint_on WIDTH */

// a write takes a place already read, or the one read in this cycle
assign s_axis_tready = !rst && (!stored || written < sent || (written == sent && out_free));
assign m_axis_tdata = out_data_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = out_last_reg;

always @(posedge clk) begin
    if (write) begin
        memory[write_addr] <= s_axis_tdata;
    end
    if (read) begin
        out_data_reg <= memory[read_addr];
    end
end

always @(posedge clk) begin
    if (out_free) begin
        out_valid_reg <= read;
    end
    if (read) begin
        out_last_reg <= sent == LAST;
        sent <= sent + 1'b1;
        if (sent == LAST) begin
            stored <= 1'b0;
        end
    end
    if (write) begin
        if (written == LAST) begin
            written <= {COUNT_WIDTH{1'b0}};
            sent <= {COUNT_WIDTH{1'b0}};
            stored <= 1'b1;
            ascending <= !ascending;
        end else begin
            written <= written + 1'b1;
        end
    end
    if (rst) begin
        written <= {COUNT_WIDTH{1'b0}};
        sent <= {COUNT_WIDTH{1'b0}};
        stored <= 1'b0;
        ascending <= 1'b1;
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
