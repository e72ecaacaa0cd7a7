/**
 * A plan as a tenant admin makes it through the API (a category, then the plan), for tests whose
 * policies must come from a plan the API accepted.
 */
import { Plan } from '../../src/models';
import type { TestStack } from './stack';

/** "House Standard": 100,000 covered for a premium of 300 over 12 months, in a new category (a tenant's names differ). */
export async function housePlanThroughApi(stack: TestStack, adminAuthorization: string, categoryName = 'Houses'): Promise<Plan> {
  const category = await stack.api
    .post('/api/v1/categories')
    .set('Authorization', adminAuthorization)
    .send({ name: categoryName })
    .expect(201);
  const created = await stack.api
    .post('/api/v1/plans')
    .set('Authorization', adminAuthorization)
    .send({
      categoryId: category.body.id,
      name: 'House Standard',
      coverageLevel: 'standard',
      coverageAmount: '100000.00',
      premium: '300.00',
      durationMonths: 12,
    })
    .expect(201);
  return (await Plan.findByPk(created.body.id))!;
}
