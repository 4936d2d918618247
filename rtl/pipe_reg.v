/*
 * Pipeline delay line with a shared clock enable.
 *
 * Delays a bus by STAGES registers; every register advances only when ce is
 * high, so a whole pipeline stalls together under backpressure. STAGES = 0 is
 * a plain wire, which lets generated code place registers by a parameter.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module pipe_reg #
(
    // Bus width in bits (>= 1)
    parameter WIDTH = 8,
    // Number of register stages (>= 0); 0 passes the bus straight through
    parameter STAGES = 1
)
(
    /* verilator lint_off UNUSEDSIGNAL */ // unused when STAGES is 0
    input  wire             clk,
    input  wire             ce,
    /* verilator lint_on UNUSEDSIGNAL */

    input  wire [WIDTH-1:0] in_data,
    output wire [WIDTH-1:0] out_data
);

initial begin
    if (WIDTH < 1 || STAGES < 0) begin
        $error("Error: pipe_reg needs WIDTH >= 1 and STAGES >= 0 (instance %m)");
        $finish;
    end
end

generate
    if (STAGES == 0) begin : g_wire
        assign out_data = in_data;
    end else if (STAGES == 1) begin : g_one
        reg [WIDTH-1:0] stage_reg;

        always @(posedge clk) begin
            if (ce) begin
                stage_reg <= in_data;
            end
        end

        assign out_data = stage_reg;
    end else begin : g_chain
        // Stage k occupies bits [k*WIDTH +: WIDTH]; stage 0 is the newest
        reg [STAGES*WIDTH-1:0] stage_reg;

        always @(posedge clk) begin
            if (ce) begin
                stage_reg <= {stage_reg[(STAGES-1)*WIDTH-1:0], in_data};
            end
        end

        assign out_data = stage_reg[(STAGES-1)*WIDTH +: WIDTH];
    end
endgenerate

endmodule

`resetall
