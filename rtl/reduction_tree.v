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
/* verilator lint_off WIDTHEXPAND */
localparam IS_ADD = OPERATION == "ADD";
localparam IS_MAX = OPERATION == "MAX";
localparam IS_MAXU = OPERATION == "MAXU";
/* verilator lint_on WIDTHEXPAND */

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

// node[(level*N + i)*WIDTH +: WIDTH] is term i after `level` levels; slots past
// the live terms of a level are tied to zero and never read.
/* verilator lint_off UNUSEDSIGNAL */
wire [(LEVELS+1)*N*WIDTH-1:0] node;
/* verilator lint_on UNUSEDSIGNAL */

assign node[N*WIDTH-1:0] = in_data;

genvar level, i;
generate
    for (level = 1; level <= LEVELS; level = level + 1) begin : g_level
        for (i = 0; i < N; i = i + 1) begin : g_term
            localparam integer PREV = terms_at(level - 1);
            localparam integer BASE_IN = (level - 1) * N;
            localparam integer BASE_OUT = level * N;
            if (i < terms_at(level)) begin : g_used
                wire [WIDTH-1:0] value;
                if (2*i + 1 < PREV) begin : g_pair
                    wire [WIDTH-1:0] a = node[(BASE_IN + 2*i)*WIDTH +: WIDTH];
                    wire [WIDTH-1:0] b = node[(BASE_IN + 2*i + 1)*WIDTH +: WIDTH];
                    if (IS_ADD) begin : g_add
                        assign value = a + b;
                    end else if (IS_MAX) begin : g_max
                        assign value = $signed(a) >= $signed(b) ? a : b;
                    end else begin : g_maxu
                        assign value = a >= b ? a : b;
                    end
                end else begin : g_pass
                    assign value = node[(BASE_IN + 2*i)*WIDTH +: WIDTH];
                end
                if (REG_MASK[level-1]) begin : g_reg
                    reg [WIDTH-1:0] value_reg;
                    always @(posedge clk) begin
                        if (ce) begin
                            value_reg <= value;
                        end
                    end
                    assign node[(BASE_OUT + i)*WIDTH +: WIDTH] = value_reg;
                end else begin : g_comb
                    assign node[(BASE_OUT + i)*WIDTH +: WIDTH] = value;
                end
            end else begin : g_unused
                assign node[(BASE_OUT + i)*WIDTH +: WIDTH] = {WIDTH{1'b0}};
            end
        end
    end
endgenerate

assign out_data = node[LEVELS*N*WIDTH +: WIDTH];

endmodule

`resetall
