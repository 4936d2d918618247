/*
 * Pipelined balanced reduction tree: sum or maximum of N terms.
 *
 * OPERATION "ADD" sums modulo 2**WIDTH (two's complement wrap; callers size
 * WIDTH so that no partial sum overflows when exactness is wanted); "MAX"
 * takes the signed maximum and "MAXU" the unsigned maximum.
 * Level l combines neighbouring pairs of level l-1; an odd term passes through.
 * REG_MASK bit l-1 puts a register bank after level l, so the generator can
 * place pipeline cuts anywhere in the tree. LEVELS may exceed the levels the
 * tree needs (ceil(log2(N))) so trees of different sizes share one latency.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module reduction_tree #
(
    // "ADD", "MAX" (signed) or "MAXU" (unsigned)
    parameter OPERATION = "ADD",
    // Number of terms (>= 1)
    parameter N = 4,
    // Width of every term and of the sum
    parameter WIDTH = 16,
    // Number of adder levels (>= ceil(log2(N)))
    parameter LEVELS = 2,
    // Bit l-1 set: register after level l (LEVELS bits; 0 = fully combinational)
    parameter [LEVELS > 0 ? LEVELS-1 : 0:0] REG_MASK = 0
)
(
    /* verilator lint_off UNUSEDSIGNAL */ // unused when REG_MASK is 0
    input  wire               clk,
    input  wire               ce,
    /* verilator lint_on UNUSEDSIGNAL */

    input  wire [N*WIDTH-1:0] in_data,
    output wire [WIDTH-1:0]   out_data
);

// String parameters compare at the literal's width; that is intended here
/* verilator lint_off WIDTH */
localparam IS_ADD = OPERATION == "ADD";
localparam IS_MAX = OPERATION == "MAX";
localparam IS_MAXU = OPERATION == "MAXU";
/* verilator lint_on WIDTH */

// Terms remaining after `level` levels of pairwise addition
function integer terms_at;
    input integer level;
    integer k;
    begin
        terms_at = N;
        for (k = 0; k < level; k = k + 1) begin
            terms_at = (terms_at + 1) / 2;
        end
    end
endfunction

initial begin
    if (N < 1 || terms_at(LEVELS) != 1) begin
        $error("Error: reduction_tree needs N >= 1 and LEVELS >= ceil(log2(N)) (instance %m)");
        $finish;
    end
    if (!IS_ADD && !IS_MAX && !IS_MAXU) begin
        $error("Error: reduction_tree OPERATION must be ADD, MAX or MAXU (instance %m)");
        $finish;
    end
end

// g_level[l].terms holds the terms_at(l) values left after l levels (level 0: the inputs). One
// vector per level keeps every bus as narrow as its level: simulators compile a single
// (LEVELS+1)*N*WIDTH-bit bus of all levels far more slowly for wide trees.
genvar level, i;
generate
    for (level = 0; level <= LEVELS; level = level + 1) begin : g_level
        wire [terms_at(level)*WIDTH-1:0] terms;
        if (level == 0) begin : g_inputs
            assign terms = in_data;
        end else begin : g_reduce
            for (i = 0; i < terms_at(level); i = i + 1) begin : g_term
                wire [WIDTH-1:0] value;
                if (2*i + 1 < terms_at(level - 1)) begin : g_pair
                    wire [WIDTH-1:0] a = g_level[level-1].terms[(2*i)*WIDTH +: WIDTH];
                    wire [WIDTH-1:0] b = g_level[level-1].terms[(2*i+1)*WIDTH +: WIDTH];
                    if (IS_ADD) begin : g_add
                        // keep: each sum stays a two-input carry-chain adder; without it Yosys merges a
                        // whole unregistered tree into one multi-operand add of LUT full adders (~1.5x the LUTs)
                        (* keep *) wire [WIDTH-1:0] sum = a + b;
                        assign value = sum;
                    end else if (IS_MAX) begin : g_max
                        assign value = $signed(a) >= $signed(b) ? a : b;
                    end else begin : g_maxu
                        assign value = a >= b ? a : b;
                    end
                end else begin : g_pass
                    assign value = g_level[level-1].terms[(2*i)*WIDTH +: WIDTH];
                end
                if (REG_MASK[level-1]) begin : g_reg
                    reg [WIDTH-1:0] value_reg;
                    always @(posedge clk) begin
                        if (ce) begin
                            value_reg <= value;
                        end
                    end
                    assign terms[i*WIDTH +: WIDTH] = value_reg;
                end else begin : g_comb
                    assign terms[i*WIDTH +: WIDTH] = value;
                end
            end
        end
    end
endgenerate

assign out_data = g_level[LEVELS].terms;

endmodule

`resetall
