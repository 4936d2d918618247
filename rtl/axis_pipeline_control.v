/*
 * Flow control for a fixed-depth pipeline between an AXI-stream slave and master.
 *
 * The datapath registers all advance on one clock enable `ce`. A valid bit (and
 * tlast) travels beside each event; the pipeline stalls only when its last stage
 * holds an event the sink does not accept, so with m_axis_tready high the latency
 * is exactly LATENCY cycles and one event is accepted every INTERVAL cycles (for
 * layers that reuse their multipliers: after an accepted event s_axis_tready stays
 * low for INTERVAL-1 enabled cycles). Events are never dropped, duplicated or reordered. While rst is high, s_axis_tready and
 * m_axis_tvalid are low and every event in flight is discarded.
 * Note: s_axis_tready depends combinationally on m_axis_tready.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module axis_pipeline_control #
(
    // Number of register stages in the datapath (>= 1)
    parameter LATENCY = 4,
    // Minimum number of enabled cycles between accepted events (>= 1)
    parameter INTERVAL = 1
)
(
    input  wire               clk,
    input  wire               rst,

    /* AXI input handshake */
    input  wire               s_axis_tvalid,
    output wire               s_axis_tready,
    input  wire               s_axis_tlast,

    /* AXI output handshake */
    output wire               m_axis_tvalid,
    input  wire               m_axis_tready,
    output wire               m_axis_tlast,

    /* Datapath control */
    output wire               ce,
    output wire [LATENCY-1:0] stage_valid
);

initial begin
    if (LATENCY < 1 || INTERVAL < 1) begin
        $error("Error: axis_pipeline_control needs LATENCY >= 1 and INTERVAL >= 1 (instance %m)");
        $finish;
    end
end

reg [LATENCY-1:0] valid_reg;
reg [LATENCY-1:0] last_reg;

wire accept = s_axis_tvalid && s_axis_tready;
wire interval_done;

assign ce = !valid_reg[LATENCY-1] || m_axis_tready;
assign s_axis_tready = ce && !rst && interval_done;
assign m_axis_tvalid = valid_reg[LATENCY-1] && !rst;
assign m_axis_tlast = last_reg[LATENCY-1];
assign stage_valid = valid_reg;

generate
    if (LATENCY == 1) begin : g_single
        always @(posedge clk) begin
            if (ce) begin
                valid_reg <= accept;
                last_reg <= s_axis_tlast;
            end
            if (rst) begin
                valid_reg <= 1'b0;
            end
        end
    end else begin : g_chain
        always @(posedge clk) begin
            if (ce) begin
                valid_reg <= {valid_reg[LATENCY-2:0], accept};
                last_reg <= {last_reg[LATENCY-2:0], s_axis_tlast};
            end
            if (rst) begin
                valid_reg <= {LATENCY{1'b0}};
            end
        end
    end

    if (INTERVAL == 1) begin : g_every_cycle
        assign interval_done = 1'b1;
    end else begin : g_interval
        // Enabled cycles still to wait before the next event may be accepted
        localparam COUNT_WIDTH = $clog2(INTERVAL);
        localparam integer LAST_WAIT = INTERVAL - 1;
        reg [COUNT_WIDTH-1:0] wait_count;
        always @(posedge clk) begin
            if (ce) begin
                if (accept) begin
                    wait_count <= LAST_WAIT[COUNT_WIDTH-1:0];
                end else if (wait_count != 0) begin
                    wait_count <= wait_count - 1'b1;
                end
            end
            if (rst) begin
                wait_count <= {COUNT_WIDTH{1'b0}};
            end
        end
        assign interval_done = wait_count == 0;
    end
endgenerate

endmodule

`resetall
