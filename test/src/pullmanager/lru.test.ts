import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../src/pullmanager/lru.js';

function cache(max: number) {
  const evicted: string[] = [];
  const lru = new LruCache<string, number>(max, (key, value) => evicted.push(`${key}=${value}`));
  return { lru, evicted };
}

describe('LruCache (k8s.io/utils/lru semantics)', () => {
  it('evicts the least recently used entry when a new key goes beyond maxEntries, through the callback', () => {
    const { lru, evicted } = cache(2);
    lru.add('a', 1);
    lru.add('b', 2);
    lru.add('c', 3);
    expect(lru.keys()).toEqual(['b', 'c']);
    expect(evicted).toEqual(['a=1']);
    expect(lru.size).toBe(2);
  });

  it('Get marks the entry most recently used', () => {
    const { lru, evicted } = cache(2);
    lru.add('a', 1);
    lru.add('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.add('c', 3);
    expect(evicted).toEqual(['b=2']);
    expect(lru.get('missing')).toBeUndefined();
  });

  it('Set of an existing key replaces the value and moves it to the front without a callback', () => {
    const { lru, evicted } = cache(2);
    lru.add('a', 1);
    lru.add('b', 2);
    lru.add('a', 10);
    expect(evicted).toEqual([]);
    expect(lru.keys()).toEqual(['b', 'a']);
    lru.add('c', 3);
    expect(evicted).toEqual(['b=2']);
    expect(lru.get('a')).toBe(10);
  });

  it('has() does not change recency', () => {
    const { lru, evicted } = cache(2);
    lru.add('a', 1);
    lru.add('b', 2);
    expect(lru.has('a')).toBe(true);
    lru.add('c', 3);
    expect(evicted).toEqual(['a=1']);
    expect(lru.has('a')).toBe(false);
  });

  it('Remove and Clear run the callback (the cache layer filters explicit deletes itself)', () => {
    const { lru, evicted } = cache(3);
    lru.add('a', 1);
    lru.add('b', 2);
    lru.add('c', 3);
    lru.remove('b');
    lru.remove('absent');
    expect(evicted).toEqual(['b=2']);
    lru.clear();
    expect(evicted).toEqual(['b=2', 'a=1', 'c=3']);
    expect(lru.size).toBe(0);
  });

  it('maxEntries 0 is unbounded, as groupcache', () => {
    const { lru, evicted } = cache(0);
    for (let i = 0; i < 100; i++) lru.add(String(i), i);
    expect(lru.size).toBe(100);
    expect(evicted).toEqual([]);
  });

  it('works without a callback', () => {
    const lru = new LruCache<string, number>(1);
    lru.add('a', 1);
    lru.add('b', 2);
    lru.remove('b');
    lru.add('c', 3);
    lru.clear();
    expect(lru.size).toBe(0);
  });
});
