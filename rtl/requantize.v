/*
 * Fixed-point requantization with ap_fixed rounding and overflow modes.
 *
 * Converts a value with IN_FRAC fractional bits to OUT_WIDTH bits with
 * OUT_FRAC fractional bits: optional ReLU, then rounding of the dropped bits,
 * then overflow handling. Purely combinational; the generator places
 * registers around it. Matches rtl4ml.fixed_point.requantize bit for bit.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module requantize #
(
    // Input width and fractional bits (IN_FRAC may be negative or exceed IN_WIDTH)
    parameter IN_WIDTH = 16,
    parameter IN_FRAC = 8,
    // 1: input is two's complement, 0: unsigned
    parameter IN_SIGNED = 1,
    // Output width (>= 1; >= 2 when signed) and fractional bits
    parameter OUT_WIDTH = 8,
    parameter OUT_FRAC = 4,
    // 1: output is two's complement, 0: unsigned
    parameter OUT_SIGNED = 1,
    // 0 AP_TRN, 1 AP_TRN_ZERO, 2 AP_RND, 3 AP_RND_ZERO, 4 AP_RND_MIN_INF, 5 AP_RND_INF, 6 AP_RND_CONV
    parameter ROUNDING = 0,
    // 0 AP_WRAP, 1 AP_SAT, 2 AP_SAT_ZERO, 3 AP_SAT_SYM
    parameter OVERFLOW = 0,
    // 1: clamp negative inputs to zero before rounding (fused ReLU)
    parameter RELU = 0
)
(
    input  wire [IN_WIDTH-1:0]  in_data,
    output wire [OUT_WIDTH-1:0] out_data
);

localparam SHIFT = IN_FRAC - OUT_FRAC;
localparam EXT_WIDTH = IN_WIDTH + 1;
// Working width before the shift: room for the sign and for every dropped bit
localparam WORK_WIDTH = (SHIFT + 1 > EXT_WIDTH) ? SHIFT + 1 : EXT_WIDTH;
// Width of the rounded value (one extra bit for the rounding increment)
localparam ROUND_WIDTH = (SHIFT > 0) ? WORK_WIDTH - SHIFT + 1 : EXT_WIDTH - SHIFT;
// Comparison width: holds the rounded value and the output bounds
localparam CMP_WIDTH = ((ROUND_WIDTH > OUT_WIDTH + 1) ? ROUND_WIDTH : OUT_WIDTH + 1) + 1;

initial begin
    if (IN_WIDTH < 1 || OUT_WIDTH < 1 || (OUT_SIGNED && OUT_WIDTH < 2)) begin
        $error("Error: requantize widths out of range (instance %m)");
        $finish;
    end
    if (ROUNDING < 0 || ROUNDING > 6 || OVERFLOW < 0 || OVERFLOW > 3) begin
        $error("Error: requantize ROUNDING must be 0..6 and OVERFLOW 0..3 (instance %m)");
        $finish;
    end
end

wire [EXT_WIDTH-1:0] extended = IN_SIGNED ? {in_data[IN_WIDTH-1], in_data} : {1'b0, in_data};
wire [EXT_WIDTH-1:0] activated = (RELU != 0 && extended[EXT_WIDTH-1]) ? {EXT_WIDTH{1'b0}} : extended;

wire [ROUND_WIDTH-1:0] rounded;

generate
    if (SHIFT > 0) begin : g_round
        wire [WORK_WIDTH-1:0] work = {{(WORK_WIDTH-EXT_WIDTH){activated[EXT_WIDTH-1]}}, activated};
        /* verilator lint_off UNUSEDSIGNAL */
        wire [WORK_WIDTH-1:0] floor_full = $signed(work) >>> SHIFT;
        /* verilator lint_on UNUSEDSIGNAL */
        wire [ROUND_WIDTH-2:0] floor_value = floor_full[ROUND_WIDTH-2:0];
        wire negative = work[WORK_WIDTH-1];
        wire half = work[SHIFT-1];
        wire rest;
        if (SHIFT > 1) begin : g_rest
            assign rest = |work[SHIFT-2:0];
        end else begin : g_no_rest
            assign rest = 1'b0;
        end
        reg increment;
        always @* begin
            case (ROUNDING)
                1: increment = negative & (half | rest);
                2: increment = half;
                3: increment = half & (rest | negative);
                4: increment = half & rest;
                5: increment = half & (rest | ~negative);
                6: increment = half & (rest | floor_value[0]);
                default: increment = 1'b0;
            endcase
        end
        assign rounded = {floor_value[ROUND_WIDTH-2], floor_value} + {{(ROUND_WIDTH-1){1'b0}}, increment};
    end else begin : g_shift_left
        assign rounded = {activated, {(-SHIFT){1'b0}}};
    end
endgenerate

wire [CMP_WIDTH-1:0] value = {{(CMP_WIDTH-ROUND_WIDTH){rounded[ROUND_WIDTH-1]}}, rounded};

// Output bounds in CMP_WIDTH-bit two's complement
localparam [CMP_WIDTH-1:0] MAX_VALUE = OUT_SIGNED ? {{(CMP_WIDTH-OUT_WIDTH+1){1'b0}}, {(OUT_WIDTH-1){1'b1}}}
                                                  : {{(CMP_WIDTH-OUT_WIDTH){1'b0}}, {OUT_WIDTH{1'b1}}};
localparam [CMP_WIDTH-1:0] MIN_VALUE = OUT_SIGNED ? {{(CMP_WIDTH-OUT_WIDTH+1){1'b1}}, {(OUT_WIDTH-1){1'b0}}}
                                                  : {CMP_WIDTH{1'b0}};
localparam [CMP_WIDTH-1:0] SYM_MIN_VALUE = OUT_SIGNED ? MIN_VALUE + 1 : MIN_VALUE;

wire too_big = $signed(value) > $signed(MAX_VALUE);
wire too_small = $signed(value) < $signed((OVERFLOW == 3) ? SYM_MIN_VALUE : MIN_VALUE);

/* verilator lint_off UNUSEDSIGNAL */
reg [CMP_WIDTH-1:0] result;
/* verilator lint_on UNUSEDSIGNAL */

always @* begin
    result = value;
    if (OVERFLOW != 0) begin
        if (too_big) begin
            result = (OVERFLOW == 2) ? {CMP_WIDTH{1'b0}} : MAX_VALUE;
        end else if (too_small) begin
            result = (OVERFLOW == 2) ? {CMP_WIDTH{1'b0}} : ((OVERFLOW == 3) ? SYM_MIN_VALUE : MIN_VALUE);
        end
    end
end

// AP_WRAP keeps the low bits, which is exactly modular wrap-around
assign out_data = result[OUT_WIDTH-1:0];

endmodule

`resetall
