/*
 * Block-level ap_ctrl_hs handshake (as on Vitis HLS IP) in front of an AXI-stream core.
 *
 * ap_start offers in_data; the core takes it in the cycle ap_ready is high
 * (ap_ready = ap_start && core ready). ap_done is high for the one cycle
 * out_data is valid (out_data_ap_vld is the same pulse); the sink must take it
 * then, because the core's output is always accepted (m_axis_tready = 1), so
 * the core never stalls and its latency is fixed. ap_idle is high when no
 * start is pending and nothing is in flight. ap_rst is synchronous, active high.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module ap_ctrl_hs_adapter #
(
    parameter IN_WIDTH = 8,
    parameter OUT_WIDTH = 8,
    // Events that can be in flight at once (the core's latency is enough)
    parameter MAX_IN_FLIGHT = 16
)
(
    input  wire                 ap_clk,
    input  wire                 ap_rst,
    input  wire                 ap_start,
    output wire                 ap_ready,
    output wire                 ap_done,
    output wire                 ap_idle,
    input  wire [IN_WIDTH-1:0]  in_data,
    output wire [OUT_WIDTH-1:0] out_data,
    output wire                 out_data_ap_vld,

    /* to the core */
    output wire [IN_WIDTH-1:0]  s_axis_tdata,
    output wire                 s_axis_tvalid,
    input  wire                 s_axis_tready,
    output wire                 s_axis_tlast,
    input  wire [OUT_WIDTH-1:0] m_axis_tdata,
    input  wire                 m_axis_tvalid,
    output wire                 m_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */ // one event per start: tlast carries nothing here
    input  wire                 m_axis_tlast
    /* verilator lint_on UNUSEDSIGNAL */
);

localparam COUNT_WIDTH = $clog2(MAX_IN_FLIGHT + 1);

reg [COUNT_WIDTH-1:0] in_flight;

assign s_axis_tdata = in_data;
assign s_axis_tvalid = ap_start;
assign s_axis_tlast = 1'b1;
assign ap_ready = ap_start && s_axis_tready;
assign m_axis_tready = 1'b1;
assign out_data = m_axis_tdata;
assign out_data_ap_vld = m_axis_tvalid;
assign ap_done = m_axis_tvalid;
assign ap_idle = !ap_start && in_flight == 0;

always @(posedge ap_clk) begin
    if (ap_ready && !m_axis_tvalid) begin
        in_flight <= in_flight + 1'b1;
    end else if (m_axis_tvalid && !ap_ready) begin
        in_flight <= in_flight - 1'b1;
    end
    if (ap_rst) begin
        in_flight <= {COUNT_WIDTH{1'b0}};
    end
end

endmodule

`resetall
