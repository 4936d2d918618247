/*
 * Read-only lookup table with its contents given as a parameter.
 *
 * Entry k sits at CONTENTS[k*DATA_WIDTH +: DATA_WIDTH]; addresses at or past
 * DEPTH read entry DEPTH-1 (callers clamp, this only keeps the read defined).
 * Combinational read: synthesis maps it to LUTs; the generator registers it.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module lookup_table #
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
    input  wire [ADDR_WIDTH-1:0] addr,
    output wire [DATA_WIDTH-1:0] data
);

initial begin
    if (ADDR_WIDTH < 1 || DATA_WIDTH < 1 || DEPTH < 1 || DEPTH > (1 << ADDR_WIDTH)) begin
        $error("Error: lookup_table needs 1 <= DEPTH <= 2**ADDR_WIDTH (instance %m)");
        $finish;
    end
end

wire [ADDR_WIDTH-1:0] index;

generate
    if (DEPTH == (1 << ADDR_WIDTH)) begin : g_full
        assign index = addr;
    end else begin : g_clamped
        localparam integer LAST_INDEX = DEPTH - 1;
        wire [ADDR_WIDTH-1:0] last = LAST_INDEX[ADDR_WIDTH-1:0];
        assign index = (addr > last) ? last : addr;
    end
endgenerate

assign data = CONTENTS[index*DATA_WIDTH +: DATA_WIDTH];

endmodule

`resetall
