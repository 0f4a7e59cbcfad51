import { describe, expect, it } from 'vitest';
import { sparklineGeometry } from './sparkline-geometry.js';

describe('sparklineGeometry', () => {
  it('draws nothing without values', () => {
    expect(sparklineGeometry([], 100, 20)).toEqual({ line: '', area: '', max: 0, points: [] });
  });

  it('spreads values across the width and puts the largest at the top', () => {
    const g = sparklineGeometry([0, 5, 10], 100, 24, 2);
    expect(g.max).toBe(10);
    expect(g.points).toEqual([
      [0, 22],
      [50, 12],
      [100, 2],
    ]);
    expect(g.line).toBe('M0,22 L50,12 L100,2');
    expect(g.area).toBe('M0,22 L50,12 L100,2 L100,24 L0,24 Z');
  });

  it('lays an all-zero series on the baseline instead of dividing by zero', () => {
    const g = sparklineGeometry([0, 0, 0, 0], 60, 20, 2);
    expect(g.max).toBe(0);
    expect(g.points.every(([, y]) => y === 18)).toBe(true);
    expect(g.line).not.toContain('NaN');
  });

  it('draws a single value as a flat line across', () => {
    const g = sparklineGeometry([7], 80, 20, 0);
    expect(g.line).toBe('M0,0 L80,0');
  });

  it('treats negative and non-finite values as zero and rounds coordinates', () => {
    const g = sparklineGeometry([-4, Number.NaN, 3, 1], 10, 10, 1);
    expect(g.max).toBe(3);
    expect(g.line).toBe('M0,9 L3.33,9 L6.67,1 L10,6.33');
  });

  it('draws 60 seconds of throughput with 60 points', () => {
    const values = Array.from({ length: 60 }, (_, i) => i % 7);
    const g = sparklineGeometry(values, 240, 40);
    expect(g.points).toHaveLength(60);
    expect(g.points[59]![0]).toBe(240);
  });
});
