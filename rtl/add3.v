/*
 * Ternary adder: sum = x + y + z modulo 2**WIDTH, any operand subtracted, as one LUT per bit and one carry chain.
 *
 * Open synthesis (Yosys) builds a three-operand sum from full adders (about 1.5 LUT per bit, plus the
 * carry chain's) or from two carry-chain adders (2 LUT per bit). Vendor tools infer this structure from
 * a + b + c; here it is written out with Xilinx primitives: bit i's LUT6_2 gives the carry-save carry of bit i
 * (O5 = majority(x_i, y_i, z_i)) to bit i + 1 and the carry chain's propagate
 * x_i ^ y_i ^ z_i ^ majority(x_{i-1}, y_{i-1}, z_{i-1}) (O6); the chain adds the carry-save carries (DI).
 * A subtracted operand is inverted inside the LUT (its INIT) and its +1 enters as the chain's carry-in or as
 * bit 0's carry-save carry (at most two operands are subtracted).
 *
 * Synthesis (SYNTHESIS defined: Yosys, Vivado) instantiates LUT6_2 and CARRY8 (UltraScale, UltraScale+;
 * CARRY_CHAIN = 8) or CARRY4 (7-series; CARRY_CHAIN = 4). Simulation computes the sum as one expression
 * (bit-level primitives made Verilator builds of whole cores several times slower);
 * tests/test_add3_synthesis.py proves the primitive netlist equal to that expression with Yosys's SAT solver
 * and its simulation models of LUT6_2, CARRY8 and CARRY4, for every sign pattern and both chains.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module add3 #
(
    // Operand and sum width (>= 1)
    parameter WIDTH = 8,
    // bit k set: operand k (x, y, z) is subtracted; at most two bits set
    parameter [2:0] NEGATE = 3'b000,
    // 8: CARRY8 (UltraScale, UltraScale+), 4: CARRY4 (7-series)
    parameter CARRY_CHAIN = 8
)
(
    input  wire [WIDTH-1:0] x,
    input  wire [WIDTH-1:0] y,
    input  wire [WIDTH-1:0] z,
    output wire [WIDTH-1:0] sum
);

localparam integer SUBTRACTED = (NEGATE == 3'b000) ? 0 : (NEGATE == 3'b001 || NEGATE == 3'b010 || NEGATE == 3'b100) ? 1 :
                                (NEGATE == 3'b111) ? 3 : 2;
initial begin
    if (WIDTH < 1 || SUBTRACTED > 2 || (CARRY_CHAIN != 8 && CARRY_CHAIN != 4)) begin
        $error("Error: add3 needs WIDTH >= 1, at most two NEGATE bits and CARRY_CHAIN 8 or 4 (instance %m)");
        $finish;
    end
end

`ifdef SYNTHESIS
// LUT6_2 contents, inputs I0..I3 = x_i, y_i, z_i, m_i (I4 = 0): O6 (I5 = 1) is the propagate, O5 (I5 = 0) the
// majority of the (inverted where subtracted) operand bits
function [63:0] lut_init(input [2:0] negate);
    integer k;
    reg [5:0] in;  // I5..I0
    reg a, b, c;
    begin
        for (k = 0; k < 64; k = k + 1) begin
            in = k[5:0];
            a = in[0] ^ negate[0];
            b = in[1] ^ negate[1];
            c = in[2] ^ negate[2];
            lut_init[k] = in[5] ? (a ^ b ^ c ^ in[3]) : ((a & b) | (a & c) | (b & c));
        end
    end
endfunction

localparam [63:0] INIT = lut_init(NEGATE);
localparam SEGMENTS = (WIDTH + CARRY_CHAIN - 1) / CARRY_CHAIN;
localparam PADDED = SEGMENTS * CARRY_CHAIN;

wire [WIDTH:0] m;  // m[i]: carry-save carry into bit i; m[0] takes a subtracted operand's +1
wire [PADDED-1:0] propagate, generate_in, chain_out;
wire [PADDED:0] carry;  // carry[i]: the chain's carry into bit i
assign m[0] = (SUBTRACTED == 2);
assign carry[0] = (SUBTRACTED != 0);

genvar i;
generate
    for (i = 0; i < PADDED; i = i + 1) begin : bit_
        if (i < WIDTH) begin : lut
            LUT6_2 #(.INIT(INIT)) cell (.I0(x[i]), .I1(y[i]), .I2(z[i]), .I3(m[i]), .I4(1'b0), .I5(1'b1),
                                        .O5(m[i + 1]), .O6(propagate[i]));
            assign generate_in[i] = m[i];  // when the propagate is 0 the two carry-save bits are equal
        end else begin : pad
            assign propagate[i] = 1'b0;
            assign generate_in[i] = 1'b0;
        end
    end
    for (i = 0; i < SEGMENTS; i = i + 1) begin : segment
        localparam integer LOW = i * CARRY_CHAIN;
        if (CARRY_CHAIN == 8) begin : cy8
            CARRY8 #(.CARRY_TYPE("SINGLE_CY8")) cell (.CI(carry[LOW]), .CI_TOP(1'b0),
                .DI(generate_in[LOW +: 8]), .S(propagate[LOW +: 8]), .O(chain_out[LOW +: 8]),
                .CO(carry[LOW + 1 +: 8]));
        end else begin : cy4
            CARRY4 cell (.CI(i == 0 ? 1'b0 : carry[LOW]), .CYINIT(i == 0 ? carry[0] : 1'b0),
                .DI(generate_in[LOW +: 4]), .S(propagate[LOW +: 4]), .O(chain_out[LOW +: 4]),
                .CO(carry[LOW + 1 +: 4]));
        end
    end
endgenerate

assign sum = chain_out[WIDTH-1:0];
`else
// Simulation: the same sum as one expression (the primitive netlist above is proved equal to it)
assign sum = (NEGATE[0] ? -x : x) + (NEGATE[1] ? -y : y) + (NEGATE[2] ? -z : z);
`endif

endmodule

`resetall
