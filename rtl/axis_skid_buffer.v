/*
 * AXI4-Stream register slice with a registered tready (a skid buffer).
 *
 * Sits at the output of every unit of a streaming core: s_axis_tready is a register,
 * so no combinational path runs from m_axis_tready to s_axis_tready and a ready path
 * never spans more than one unit. One beat per cycle at full rate, one cycle of
 * latency, two beats of storage (the output register and the skid register that
 * catches the beat accepted in the cycle the sink stops). Beats are never dropped,
 * duplicated or reordered. While rst is high both sides are idle and stored beats
 * are discarded.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module axis_skid_buffer #
(
    // Beat width in bits (>= 1)
    parameter DATA_WIDTH = 8
)
(
    input  wire                  clk,
    input  wire                  rst,

    /* AXI input */
    input  wire [DATA_WIDTH-1:0] s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    input  wire                  s_axis_tlast,

    /* AXI output */
    output wire [DATA_WIDTH-1:0] m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,
    output wire                  m_axis_tlast
);

initial begin
    if (DATA_WIDTH < 1) begin
        $error("Error: axis_skid_buffer needs DATA_WIDTH >= 1 (instance %m)");
        $finish;
    end
end

reg [DATA_WIDTH-1:0] out_data_reg;
reg                  out_valid_reg;
reg                  out_last_reg;
reg [DATA_WIDTH-1:0] skid_data_reg;
reg                  skid_valid_reg;
reg                  skid_last_reg;
reg                  s_ready_reg;

wire accept = s_axis_tvalid && s_ready_reg;
// the output register is free this cycle: empty, or its beat leaves now
wire out_free = !out_valid_reg || m_axis_tready;
wire skid_valid_next = out_free ? 1'b0 : (skid_valid_reg || accept);

assign s_axis_tready = s_ready_reg;
assign m_axis_tdata = out_data_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = out_last_reg;

always @(posedge clk) begin
    if (out_free) begin
        if (skid_valid_reg) begin
            out_data_reg <= skid_data_reg;
            out_last_reg <= skid_last_reg;
            out_valid_reg <= 1'b1;
        end else begin
            out_data_reg <= s_axis_tdata;
            out_last_reg <= s_axis_tlast;
            out_valid_reg <= accept;
        end
    end else if (accept) begin
        skid_data_reg <= s_axis_tdata;
        skid_last_reg <= s_axis_tlast;
    end
    skid_valid_reg <= skid_valid_next;
    // ready exactly when the skid register will be empty: a beat accepted next cycle has a place
    s_ready_reg <= !skid_valid_next;
    if (rst) begin
        out_valid_reg <= 1'b0;
        skid_valid_reg <= 1'b0;
        s_ready_reg <= 1'b0;
    end
end

endmodule

`resetall
