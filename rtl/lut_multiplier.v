/*
 * Signed multiplier in LUTs and carry chains: p = a * b, both two's complement, the full product.
 *
 * Synthesis maps a `*` to a DSP slice; this product stays in the fabric, for multipliers the generator prices
 * cheaper there (config LutsPerDsp). b is recoded in radix-4 (Booth) digits in {-2, -1, 0, 1, 2}: digit k, from
 * bits 2k+1, 2k, 2k-1 of b (a zero below bit 0, b's sign above its top), selects 0, a or 2a, complemented when
 * negative, shifted by 2k; the complements' +1s are one correction word. The ceil(B_WIDTH / 2) rows and that word
 * are summed modulo 2**(A_WIDTH + B_WIDTH) by a balanced tree (reduction_tree, no registers), which is exact:
 * the product fits in that width.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module lut_multiplier #
(
    // Width of a (>= 1)
    parameter A_WIDTH = 8,
    // Width of b (>= 1)
    parameter B_WIDTH = 6,
    // Levels of the rows' adder tree: ceil(log2(ceil(B_WIDTH / 2) + 1)), given so the caller's plan and this
    // module agree
    parameter LEVELS = 2
)
(
    input  wire [A_WIDTH-1:0]         a,
    input  wire [B_WIDTH-1:0]         b,
    output wire [A_WIDTH+B_WIDTH-1:0] p
);

localparam P_WIDTH = A_WIDTH + B_WIDTH;
localparam DIGITS = (B_WIDTH + 1) / 2;

initial begin
    if (A_WIDTH < 1 || B_WIDTH < 1) begin
        $error("Error: lut_multiplier needs A_WIDTH >= 1 and B_WIDTH >= 1 (instance %m)");
        $finish;
    end
end

wire [P_WIDTH-1:0] a_wide = {{B_WIDTH{a[A_WIDTH-1]}}, a};
// b with a zero below bit 0 and its sign repeated up to bit 2 * DIGITS: digit k reads bits 2k+2 .. 2k of it
wire [2*DIGITS:0] b_booth;
generate
    if (2 * DIGITS > B_WIDTH) begin : g_odd
        assign b_booth = {b[B_WIDTH-1], b, 1'b0};
    end else begin : g_even
        assign b_booth = {b, 1'b0};
    end
endgenerate

wire [(DIGITS+1)*P_WIDTH-1:0] terms;
wire [P_WIDTH-1:0] correction;

genvar k;
generate
    for (k = 0; k < DIGITS; k = k + 1) begin : g_digit
        wire [2:0] bits = b_booth[2*k +: 3];
        wire one = bits[1] ^ bits[0];
        wire two = (bits == 3'b011) || (bits == 3'b100);
        wire negative = bits[2] && !(bits[1] && bits[0]);
        wire [P_WIDTH-1:0] magnitude = one ? a_wide : two ? {a_wide[P_WIDTH-2:0], 1'b0} : {P_WIDTH{1'b0}};
        wire [P_WIDTH-1:0] row = negative ? ~magnitude : magnitude;
        assign terms[k*P_WIDTH +: P_WIDTH] = row << (2 * k);
        assign correction[2*k] = negative;
        if (2 * k + 1 < P_WIDTH) begin : g_gap
            assign correction[2*k+1] = 1'b0;
        end
    end
    if (2 * DIGITS < P_WIDTH) begin : g_top
        assign correction[P_WIDTH-1:2*DIGITS] = {(P_WIDTH-2*DIGITS){1'b0}};
    end
endgenerate
assign terms[DIGITS*P_WIDTH +: P_WIDTH] = correction;

reduction_tree #(.OPERATION("ADD"), .N(DIGITS + 1), .WIDTH(P_WIDTH), .LEVELS(LEVELS), .REG_MASK(0)) tree (
    .clk(1'b0), .ce(1'b0), .in_data(terms), .out_data(p));

endmodule

`resetall
