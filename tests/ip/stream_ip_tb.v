// A firmware engineer's testbench for the streaming core "stream_ip", written from ip/README.md (the datasheet)
// alone: ports, pixel packing, frame sizes, latency and interval from stream_ip_params.vh, frames from
// vectors/*.hex. Default: a pixel offered every cycle and m_axis_tready high, so the first frame's latency and the
// distance between frames are checked; with STALL defined, random idle cycles and backpressure (bits and tlast only).
// Prints "PASS <frames>" or "FAIL ..." lines.
`timescale 1ns / 1ps

module stream_ip_tb;
`include "stream_ip_params.vh"

localparam FRAMES = 32;
localparam SW = STREAM_IP_S_AXIS_DATA_WIDTH;
localparam MW = STREAM_IP_M_AXIS_DATA_WIDTH;
localparam IN_BEATS = STREAM_IP_IN_BEATS;
localparam OUT_BEATS = STREAM_IP_OUT_BEATS;

reg clk = 1'b0;
reg rst = 1'b1;
always #1 clk = ~clk;

reg [SW-1:0] inputs [0:FRAMES*IN_BEATS-1];
reg [MW-1:0] expected [0:FRAMES*OUT_BEATS-1];
integer first_beat_at = -1, last_frame_end = -1;
integer sent = 0, received = 0, errors = 0, cycle = 0, widest = 0;

reg  [SW-1:0] in_data = {SW{1'b0}};
reg           in_valid = 1'b0;
reg           out_ready = 1'b1;
wire          in_ready;
wire [MW-1:0] out_data;
wire          out_valid;
wire          out_last;

stream_ip dut (
    .clk(clk), .rst(rst),
    .s_axis_tdata(in_data), .s_axis_tvalid(in_valid), .s_axis_tready(in_ready), .s_axis_tlast(1'b0),
    .m_axis_tdata(out_data), .m_axis_tvalid(out_valid), .m_axis_tready(out_ready), .m_axis_tlast(out_last)
);

// inputs change on the falling edge, handshakes count on the rising one
always @(negedge clk) begin
`ifdef STALL
    if (!in_valid || in_ready) begin
        in_valid <= !rst && sent < FRAMES * IN_BEATS && ($random & 3) != 0;
        in_data <= inputs[sent < FRAMES * IN_BEATS ? sent : 0];
    end
    out_ready <= ($random & 3) != 0;
`else
    in_valid <= !rst && sent < FRAMES * IN_BEATS;
    in_data <= inputs[sent < FRAMES * IN_BEATS ? sent : 0];
`endif
end

always @(posedge clk) begin
    if (in_valid && in_ready) begin
        if (sent == 0) first_beat_at = cycle;
        sent = sent + 1;
    end
    if (out_valid && out_ready) begin
        if (out_data !== expected[received]) begin
            $display("FAIL frame %0d beat %0d: got %h, expected %h", received / OUT_BEATS, received % OUT_BEATS,
                     out_data, expected[received]);
            errors = errors + 1;
        end
        if (out_last !== (received % OUT_BEATS == OUT_BEATS - 1)) begin
            $display("FAIL frame %0d beat %0d: m_axis_tlast is %b", received / OUT_BEATS, received % OUT_BEATS,
                     out_last);
            errors = errors + 1;
        end
`ifndef STALL
        if (received == OUT_BEATS - 1 && cycle - first_beat_at != STREAM_IP_LATENCY) begin
            $display("FAIL first frame: latency %0d, datasheet says %0d", cycle - first_beat_at, STREAM_IP_LATENCY);
            errors = errors + 1;
        end
        if (received % OUT_BEATS == OUT_BEATS - 1) begin
            if (last_frame_end >= 0 && cycle - last_frame_end > STREAM_IP_INTERVAL) begin
                $display("FAIL frame %0d ends %0d cycles after the previous one, interval is %0d",
                         received / OUT_BEATS, cycle - last_frame_end, STREAM_IP_INTERVAL);
                errors = errors + 1;
            end
            if (last_frame_end >= 0 && cycle - last_frame_end > widest) widest = cycle - last_frame_end;
            last_frame_end = cycle;
        end
`endif
        received = received + 1;
    end
    cycle = cycle + 1;
end

initial begin
    $readmemh("vectors/inputs.hex", inputs);
    $readmemh("vectors/expected.hex", expected);
    repeat (4) @(posedge clk);
    @(negedge clk) rst = 1'b0;
    wait (received == FRAMES * OUT_BEATS || cycle > 200 * FRAMES * STREAM_IP_INTERVAL + 1000);
    if (received != FRAMES * OUT_BEATS) begin
        $display("FAIL only %0d of %0d output beats", received, FRAMES * OUT_BEATS);
        errors = errors + 1;
    end
    if (errors == 0) $display("PASS %0d (frames %0d cycles apart at most)", FRAMES, widest);
    $finish;
end
endmodule
