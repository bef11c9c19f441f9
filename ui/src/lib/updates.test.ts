import { describe, expect, it } from "vitest";
import { formatBytes, progressLabel, progressPercent } from "./updates";

describe("formatBytes", () => {
  it("uses decimal units with one decimal", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1500)).toBe("1.5 kB");
    expect(formatBytes(12_500_000)).toBe("12.5 MB");
    expect(formatBytes(3_000_000_000)).toBe("3.0 GB");
  });
});

describe("progress", () => {
  it("is a whole percentage that never passes 100", () => {
    expect(progressPercent({ downloaded: 310, total: 1000 })).toBe(31);
    expect(progressPercent({ downloaded: 1200, total: 1000 })).toBe(100);
  });

  it("is unknown without a size rather than a made-up figure", () => {
    expect(progressPercent({ downloaded: 10, total: null })).toBeNull();
    expect(progressPercent({ downloaded: 10, total: 0 })).toBeNull();
    expect(progressPercent(null)).toBeNull();
    expect(progressLabel({ downloaded: 2_000_000, total: null })).toBe("2.0 MB");
  });

  it("reads as what arrived of what is expected", () => {
    expect(progressLabel({ downloaded: 3_100_000, total: 9_800_000 })).toBe(
      "3.1 MB of 9.8 MB (31%)",
    );
    expect(progressLabel(null)).toBe("Starting the download…");
  });
});
