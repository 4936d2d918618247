// A firmware engineer's testbench for the "trigger_ip" core, written from ip/README.md (the datasheet) alone:
// ports, bit packing, latency and interval from trigger_ip_params.vh, vectors from vectors/*.hex.
// Modes (define one): default = AXI-stream core `trigger_ip`; WRAPPER = the VHDL wrapper `trigger_ip_wrapper`
// (converted to Verilog); VALID = the fixed-latency adapter `trigger_ip_valid`; APCTRL = `trigger_ip_ap_ctrl`.
// Prints "PASS <events>" or "FAIL ..." lines.
`timescale 1ns / 1ps

module trigger_ip_tb;
`include "trigger_ip_params.vh"

localparam EVENTS = 32;
localparam SW = TRIGGER_IP_S_AXIS_DATA_WIDTH;
localparam MW = TRIGGER_IP_M_AXIS_DATA_WIDTH;

reg clk = 1'b0;
reg rst = 1'b1;
always #1 clk = ~clk;

reg [SW-1:0] inputs [0:EVENTS-1];
reg [MW-1:0] expected [0:EVENTS-1];
integer accepted_at [0:EVENTS-1];
integer sent = 0, received = 0, errors = 0, cycle = 0;

reg  [SW-1:0] in_data = {SW{1'b0}};
reg           in_valid = 1'b0;
wire          in_ready;
wire [MW-1:0] out_data;
wire          out_valid;

`ifdef VALID
wire overrun;
trigger_ip_valid dut (.clk(clk), .rst(rst), .in_valid(in_valid), .in_data(in_data), .out_valid(out_valid),
                  .out_data(out_data), .overrun(overrun));
// no backpressure: the core is ready whenever its interval has passed
reg [31:0] since_last = 32'hffff;
assign in_ready = !rst && since_last >= TRIGGER_IP_INTERVAL;
always @(posedge clk) since_last <= (in_valid && in_ready) ? 1 : since_last + 1;
`elsif APCTRL
wire ap_idle, ap_done;
trigger_ip_ap_ctrl dut (.ap_clk(clk), .ap_rst(rst), .ap_start(in_valid), .ap_ready(in_ready), .ap_done(ap_done),
                    .ap_idle(ap_idle), .in_data(in_data), .out_data(out_data), .out_data_ap_vld(out_valid));
`else
`ifdef WRAPPER
trigger_ip_wrapper dut (
`else
trigger_ip dut (
`endif
    .clk(clk), .rst(rst),
    .s_axis_tdata(in_data), .s_axis_tvalid(in_valid), .s_axis_tready(in_ready), .s_axis_tlast(1'b0),
    .m_axis_tdata(out_data), .m_axis_tvalid(out_valid), .m_axis_tready(1'b1), .m_axis_tlast()
);
`endif

// Offer the next event every cycle (inputs change on the falling edge, handshakes count on the rising one)
always @(negedge clk) begin
    in_valid <= !rst && sent < EVENTS;
    in_data <= inputs[sent < EVENTS ? sent : 0];
end

always @(posedge clk) begin
    if (in_valid && in_ready) begin
        accepted_at[sent] = cycle;
        if (sent > 0 && cycle - accepted_at[sent - 1] != TRIGGER_IP_INTERVAL) begin
            $display("FAIL event %0d accepted %0d cycles after the previous one, interval is %0d", sent,
                     cycle - accepted_at[sent - 1], TRIGGER_IP_INTERVAL);
            errors = errors + 1;
        end
        sent = sent + 1;
    end
    if (out_valid) begin
        if (out_data !== expected[received]) begin
            $display("FAIL event %0d: got %h, expected %h", received, out_data, expected[received]);
            errors = errors + 1;
        end
        if (cycle - accepted_at[received] != TRIGGER_IP_LATENCY) begin
            $display("FAIL event %0d: latency %0d, datasheet says %0d", received, cycle - accepted_at[received],
                     TRIGGER_IP_LATENCY);
            errors = errors + 1;
        end
        received = received + 1;
    end
    cycle = cycle + 1;
end

initial begin
    $readmemh("vectors/inputs.hex", inputs);
    $readmemh("vectors/expected.hex", expected);
    repeat (3) @(posedge clk);
    @(negedge clk) rst = 1'b0;
    while (received < EVENTS && cycle < EVENTS * (TRIGGER_IP_INTERVAL + 1) + TRIGGER_IP_LATENCY + 100) @(posedge clk);
    if (received != EVENTS) begin
        $display("FAIL %0d of %0d events came out", received, EVENTS);
    end else if (errors == 0) begin
        $display("PASS %0d", received);
    end
    $finish;
end

endmodule
