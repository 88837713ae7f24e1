/**
 * The validated stack spec the template registered a cluster with: the Destroy (and Update)
 * templates work from this record, never from catalog annotations or request values.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gpu_cluster_registrations', table => {
    table
      .text('spec')
      .nullable()
      .comment('The validated stack spec (JSON) the template applied');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gpu_cluster_registrations', table => {
    table.dropColumn('spec');
  });
};
