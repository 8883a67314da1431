import { EventResponseDto } from './dto/event-response.dto';
import { EventReads } from './event-reads';

const event = (available: number) => ({ id: 1, available_tickets: available }) as EventResponseDto;

describe(EventReads.name, () => {
  it('asks the database once while a read is fresh', async () => {
    const reads = new EventReads();
    const load = jest.fn(() => Promise.resolve(event(5)));
    await reads.event(1, load);
    await reads.event(1, load);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reads again after a write to the event', async () => {
    const reads = new EventReads();
    await reads.event(1, () => Promise.resolve(event(5)));
    reads.changed(1);
    expect(await reads.event(1, () => Promise.resolve(event(4)))).toEqual(event(4));
  });

  it('does not keep a read that was under way while a write finished', async () => {
    const reads = new EventReads();
    let finishRead: (value: EventResponseDto) => void = () => {};
    const overlapping = reads.event(1, () => new Promise((done) => (finishRead = done)));
    reads.changed(1);
    finishRead(event(5));
    expect(await overlapping).toEqual(event(5));
    expect(await reads.event(1, () => Promise.resolve(event(4)))).toEqual(event(4));
  });

  it('drops every page of the list on a write to any event', async () => {
    const reads = new EventReads();
    await reads.page('a', () => Promise.resolve({ items: [event(5)], total: 1 }));
    reads.changed(2);
    const load = jest.fn(() => Promise.resolve({ items: [event(4)], total: 1 }));
    await reads.page('a', load);
    expect(load).toHaveBeenCalledTimes(1);
  });
});
