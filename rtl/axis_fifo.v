`resetall
/*
 * AXI4-Stream FIFO of DEPTH beats, first word fall-through, on one branch of a fork in a streaming core.
 *
 * A fork's branches run ahead of each other (a skip connection delivers a pixel long before the
 * convolution beside it has seen the rows it needs); the FIFO on each reader's side holds what one
 * branch has taken and the other not yet. rtl4ml sizes DEPTH from the core's timing model: the
 * least depth at which the core keeps its full-rate latency and interval. s_axis_tready and
 * m_axis_tvalid are registers (full and empty flags of the next count), so no combinational path
 * runs through the FIFO. The storage has no reset and is read asynchronously (distributed RAM /
 * LUTRAM, or registers for a few beats). A beat written into an empty FIFO is offered the next
 * cycle; one beat in and one out per cycle at full rate. While rst is high both sides are idle and
 * stored beats are discarded.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module axis_fifo #
(
    // Beats stored (>= 1)
    parameter DEPTH = 4,
    // Beat width in bits (>= 1)
    parameter DATA_WIDTH = 8
)
(
    input  wire                  clk,
    input  wire                  rst,

    /* AXI input */
    input  wire [DATA_WIDTH-1:0] s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    input  wire                  s_axis_tlast,

    /* AXI output */
    output wire [DATA_WIDTH-1:0] m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,
    output wire                  m_axis_tlast
);

localparam ADDR_WIDTH = DEPTH > 1 ? $clog2(DEPTH) : 1;
localparam COUNT_WIDTH = $clog2(DEPTH + 1);
/* verilator lint_off WIDTH */ // DEPTH fits the sized constants by construction
localparam [ADDR_WIDTH-1:0] LAST_ADDR = DEPTH - 1;
localparam [COUNT_WIDTH-1:0] FULL = DEPTH;
localparam [COUNT_WIDTH-1:0] ONE = 1;
/* verilator lint_on WIDTH */

initial begin
    if (DEPTH < 1 || DATA_WIDTH < 1) begin
        $error("Error: axis_fifo needs DEPTH >= 1 and DATA_WIDTH >= 1 (instance %m)");
        $finish;
    end
end

reg [DATA_WIDTH:0] memory [0:DEPTH-1];  // {tlast, tdata}
reg [ADDR_WIDTH-1:0] write_addr_reg;
reg [ADDR_WIDTH-1:0] read_addr_reg;
reg [COUNT_WIDTH-1:0] count_reg;
reg s_ready_reg;
reg m_valid_reg;

wire write = s_axis_tvalid && s_ready_reg;
wire read = m_valid_reg && m_axis_tready;
wire [COUNT_WIDTH-1:0] count_next = write == read ? count_reg : (write ? count_reg + ONE : count_reg - ONE);

assign s_axis_tready = s_ready_reg;
assign m_axis_tvalid = m_valid_reg;
assign {m_axis_tlast, m_axis_tdata} = memory[read_addr_reg];

always @(posedge clk) begin
    if (write) begin
        memory[write_addr_reg] <= {s_axis_tlast, s_axis_tdata};
        write_addr_reg <= write_addr_reg == LAST_ADDR ? {ADDR_WIDTH{1'b0}} : write_addr_reg + 1'b1;
    end
    if (read) begin
        read_addr_reg <= read_addr_reg == LAST_ADDR ? {ADDR_WIDTH{1'b0}} : read_addr_reg + 1'b1;
    end
    count_reg <= count_next;
    s_ready_reg <= count_next != FULL;
    m_valid_reg <= count_next != {COUNT_WIDTH{1'b0}};
    if (rst) begin
        write_addr_reg <= {ADDR_WIDTH{1'b0}};
        read_addr_reg <= {ADDR_WIDTH{1'b0}};
        count_reg <= {COUNT_WIDTH{1'b0}};
        s_ready_reg <= 1'b0;
        m_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
