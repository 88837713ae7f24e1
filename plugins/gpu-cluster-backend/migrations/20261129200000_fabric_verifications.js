/**
 * NCCL fabric verification runs, one row per verification Job (by uid) per cluster: read once,
 * whichever replica sees the Job finish first claims the row; previous runs are kept.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gpu_cluster_fabric_verifications', table => {
    table.comment(
      'Results of the NCCL all_gather verification Job, by cluster and Job uid',
    );
    table.string('cluster_key').notNullable();
    table.string('job_uid').notNullable();
    table.string('namespace').notNullable();
    table.string('job_name').notNullable();
    table
      .string('state')
      .notNullable()
      .comment('reading (claimed by a replica), done, or error');
    table.string('claimed_at').notNullable();
    table
      .string('claim_token')
      .notNullable()
      .comment('Random token of the claim: only its holder reads the log');
    table.string('finished_at').nullable();
    table
      .text('result')
      .nullable()
      .comment('FabricVerificationRun (JSON, no log text)');
    table.string('error').nullable();
    table.primary(['cluster_key', 'job_uid']);
    table.index(['cluster_key', 'claimed_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gpu_cluster_fabric_verifications');
};
