/*
 * Read-only table with two registered read ports, contents given as a parameter.
 *
 * The synchronous reads are what lets synthesis put the table in one block RAM
 * (both ports of a RAMB18/36) instead of LUTs; each port's data appears one
 * cycle after its address, when ce is high. Entry k sits at
 * CONTENTS[k*DATA_WIDTH +: DATA_WIDTH]; addresses at or past DEPTH read entry
 * DEPTH-1 (callers clamp, this only keeps the read defined).
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module block_rom #
(
    // Address width in bits (>= 1)
    parameter ADDR_WIDTH = 10,
    // Entry width in bits (>= 1)
    parameter DATA_WIDTH = 18,
    // Number of entries (1 .. 2**ADDR_WIDTH)
    parameter DEPTH = 1 << ADDR_WIDTH,
    // Table contents, entry 0 in the least significant bits
    parameter [DEPTH*DATA_WIDTH-1:0] CONTENTS = 0
)
(
    input  wire                  clk,
    input  wire                  ce,
    input  wire [ADDR_WIDTH-1:0] addr_a,
    output reg  [DATA_WIDTH-1:0] data_a,
    input  wire [ADDR_WIDTH-1:0] addr_b,
    output reg  [DATA_WIDTH-1:0] data_b
);

initial begin
    if (ADDR_WIDTH < 1 || DATA_WIDTH < 1 || DEPTH < 1 || DEPTH > (1 << ADDR_WIDTH)) begin
        $error("Error: block_rom needs 1 <= DEPTH <= 2**ADDR_WIDTH (instance %m)");
        $finish;
    end
end

reg [DATA_WIDTH-1:0] table_entries [0:DEPTH-1];

integer k;
initial begin
    for (k = 0; k < DEPTH; k = k + 1) begin
        table_entries[k] = CONTENTS[k*DATA_WIDTH +: DATA_WIDTH];
    end
end

wire [ADDR_WIDTH-1:0] index_a;
wire [ADDR_WIDTH-1:0] index_b;

generate
    if (DEPTH == (1 << ADDR_WIDTH)) begin : g_full
        assign index_a = addr_a;
        assign index_b = addr_b;
    end else begin : g_clamped
        localparam integer LAST_INDEX = DEPTH - 1;
        wire [ADDR_WIDTH-1:0] last = LAST_INDEX[ADDR_WIDTH-1:0];
        assign index_a = (addr_a > last) ? last : addr_a;
        assign index_b = (addr_b > last) ? last : addr_b;
    end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        data_a <= table_entries[index_a];
        data_b <= table_entries[index_b];
    end
end

endmodule

`resetall
