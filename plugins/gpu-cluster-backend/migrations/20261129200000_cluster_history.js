/**
 * History of each cluster, sampled on a schedule (src/history): cluster-wide figures, queue
 * depths, and ProvisioningRequest waits (one row per request uid, so resampling never counts a
 * wait twice). Times are epoch milliseconds, so ranges and steps are integer arithmetic on
 * SQLite and PostgreSQL alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gpu_cluster_history_samples', table => {
    table.comment('One sample of a GPU cluster per run of the history task');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 300).notNullable();
    table.bigInteger('sampled_at').notNullable();
    // Null when the status section behind the figure was missing at the sample.
    table.integer('gpus_in_use').nullable();
    table.integer('gpus_allocatable').nullable();
    table.integer('pending_workloads').nullable();
    table.integer('admitted_workloads').nullable();
    table.integer('waiting_provisioning_requests').nullable();
    table.index(
      ['entity_ref', 'sampled_at'],
      'gpu_cluster_history_samples_ref_at',
    );
    table.index(['sampled_at'], 'gpu_cluster_history_samples_at');
  });
  await knex.schema.createTable('gpu_cluster_history_queue_samples', table => {
    table.comment('Depth of each ClusterQueue and LocalQueue per sample');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 300).notNullable();
    table.bigInteger('sampled_at').notNullable();
    table.string('queue_kind', 16).notNullable();
    table.string('queue', 320).notNullable();
    table.integer('pending').notNullable();
    table.integer('reserving').notNullable();
    table.integer('admitted').notNullable();
    table.index(
      ['entity_ref', 'sampled_at'],
      'gpu_cluster_history_queue_samples_ref_at',
    );
    table.index(['sampled_at'], 'gpu_cluster_history_queue_samples_at');
  });
  await knex.schema.createTable(
    'gpu_cluster_history_provisioning_waits',
    table => {
      table.comment(
        'ProvisioningRequest waits, created to Provisioned=True, one row per request',
      );
      table.string('entity_ref', 300).notNullable();
      table.string('uid', 300).notNullable();
      table.string('namespace', 253).notNullable();
      table.string('name', 253).notNullable();
      table.string('local_queue', 320).nullable();
      table.string('cluster_queue', 253).nullable();
      table.string('state', 16).notNullable();
      table.bigInteger('created_at').notNullable();
      table.bigInteger('provisioned_at').nullable();
      table.bigInteger('wait_ms').nullable();
      table.bigInteger('last_seen_at').notNullable();
      table.primary(['entity_ref', 'uid']);
      table.index(
        ['entity_ref', 'provisioned_at'],
        'gpu_cluster_history_waits_ref_provisioned',
      );
      table.index(['last_seen_at'], 'gpu_cluster_history_waits_seen');
    },
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gpu_cluster_history_provisioning_waits');
  await knex.schema.dropTable('gpu_cluster_history_queue_samples');
  await knex.schema.dropTable('gpu_cluster_history_samples');
};
