/*
 * Read-only table with two registered read ports, contents given as a parameter.
 *
 * The synchronous reads are what lets synthesis put the table in one block RAM
 * (both ports of a RAMB18/36) instead of LUTs; each port's data appears one
 * cycle after its address, when ce is high. Entry k sits at
 * CONTENTS[k*DATA_WIDTH +: DATA_WIDTH]; every address has its entry.
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
    // Table contents: 2**ADDR_WIDTH entries, entry 0 in the least significant bits
    parameter [(DATA_WIDTH << ADDR_WIDTH)-1:0] CONTENTS = 0
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
    if (ADDR_WIDTH < 1 || DATA_WIDTH < 1) begin
        $error("Error: block_rom needs ADDR_WIDTH >= 1 and DATA_WIDTH >= 1 (instance %m)");
        $finish;
    end
end

localparam DEPTH = 1 << ADDR_WIDTH;

reg [DATA_WIDTH-1:0] table_entries [0:DEPTH-1];

integer k;
initial begin
    for (k = 0; k < DEPTH; k = k + 1) begin
        table_entries[k] = CONTENTS[k*DATA_WIDTH +: DATA_WIDTH];
    end
end

always @(posedge clk) begin
    if (ce) begin
        data_a <= table_entries[addr_a];
        data_b <= table_entries[addr_b];
    end
end

endmodule

`resetall
