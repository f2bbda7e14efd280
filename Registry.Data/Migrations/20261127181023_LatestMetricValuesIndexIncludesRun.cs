using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Registry.Data.Migrations
{
    /// <summary>
    /// runs/search ordered by a metric walks the latest values' (name, value) index in order (RunSearch); with the run's id
    /// in the index the walk reads no heap page of ml_candidate_latest_metrics (issue 20: runs/search over 1,000,000 runs).
    /// </summary>
    public partial class LatestMetricValuesIndexIncludesRun : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Contract step: the index is replaced by one with the same name and keys plus an included column; no build names it, and it serves every query the old one did.
            migrationBuilder.DropIndex(
                name: "ix_ml_candidate_latest_metrics_name_value",
                table: "ml_candidate_latest_metrics");

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_latest_metrics_name_value",
                table: "ml_candidate_latest_metrics",
                columns: new[] { "name", "value" })
                .Annotation("Npgsql:IndexInclude", new[] { "candidate_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_ml_candidate_latest_metrics_name_value",
                table: "ml_candidate_latest_metrics");

            migrationBuilder.CreateIndex(
                name: "ix_ml_candidate_latest_metrics_name_value",
                table: "ml_candidate_latest_metrics",
                columns: new[] { "name", "value" });
        }
    }
}
