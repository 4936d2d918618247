/*
 * Fixed-latency valid-in / valid-out port for trigger paths without backpressure.
 *
 * in_valid/in_data feed the core's AXI-stream input; its output is always
 * accepted, so out_valid/out_data follow in_valid exactly LATENCY cycles later.
 * A core with an initiation interval above 1 cannot take an event every cycle:
 * an in_valid the core is not ready for (or one during reset) is dropped and
 * sets the sticky `overrun` flag, cleared by rst, so a lost event is never silent.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module valid_stream_adapter #
(
    parameter IN_WIDTH = 8,
    parameter OUT_WIDTH = 8
)
(
    input  wire                 clk,
    input  wire                 rst,
    input  wire                 in_valid,
    input  wire [IN_WIDTH-1:0]  in_data,
    output wire                 out_valid,
    output wire [OUT_WIDTH-1:0] out_data,
    output reg                  overrun,

    /* to the core */
    output wire [IN_WIDTH-1:0]  s_axis_tdata,
    output wire                 s_axis_tvalid,
    input  wire                 s_axis_tready,
    output wire                 s_axis_tlast,
    input  wire [OUT_WIDTH-1:0] m_axis_tdata,
    input  wire                 m_axis_tvalid,
    output wire                 m_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */ // one event per valid: tlast carries nothing here
    input  wire                 m_axis_tlast
    /* verilator lint_on UNUSEDSIGNAL */
);

assign s_axis_tdata = in_data;
assign s_axis_tvalid = in_valid;
assign s_axis_tlast = 1'b1;
assign m_axis_tready = 1'b1;
assign out_valid = m_axis_tvalid;
assign out_data = m_axis_tdata;

always @(posedge clk) begin
    if (in_valid && !s_axis_tready) begin
        overrun <= 1'b1;
    end
    if (rst) begin
        overrun <= 1'b0;
    end
end

endmodule

`resetall
