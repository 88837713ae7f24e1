/**
 * Cluster entities the Create GPU cluster template registered (see ClusterRegistrationStore).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gpu_cluster_registrations', table => {
    table.comment(
      'Catalog entities the Create GPU cluster template registered, by GKE cluster',
    );
    table.string('entity_ref').primary().notNullable();
    table.string('project_id').notNullable();
    table.string('location').notNullable();
    table.string('cluster_name').notNullable();
    table.string('owner').notNullable();
    table.string('registered_at').notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gpu_cluster_registrations');
};
