import { describe, expect, it } from 'vitest';
import {
  aggregateErrorText,
  evalCriPullError,
  ImageErrors,
  ImageEvents,
} from '../../../src/image-manager/errors.js';

describe('evalCRIPullErr (image_manager.go)', () => {
  it('RegistryUnavailable…: the prefix is replaced by "image pull failed for X because the registry is unavailable"', () => {
    expect(evalCriPullError('nginx', 'RegistryUnavailable: no route to host')).toEqual({
      reason: 'RegistryUnavailable',
      message: 'image pull failed for nginx because the registry is unavailable: no route to host',
    });
  });

  it('SignatureValidationFailed…: "image pull failed for X because the signature validation failed"', () => {
    expect(evalCriPullError('reg.io/a:1', 'SignatureValidationFailed: unsigned')).toEqual({
      reason: 'SignatureValidationFailed',
      message: 'image pull failed for reg.io/a:1 because the signature validation failed: unsigned',
    });
  });

  it('anything else: ErrImagePull with the raw error text (a prefix match only at the start)', () => {
    expect(evalCriPullError('nginx', 'rpc error: RegistryUnavailable')).toEqual({
      reason: 'ErrImagePull',
      message: 'rpc error: RegistryUnavailable',
    });
  });
});

describe('kubelet error and event names', () => {
  it('waiting reasons (pkg/kubelet/images/types.go, cri-api errors)', () => {
    expect(ImageErrors).toEqual({
      ErrImagePull: 'ErrImagePull',
      ErrImagePullBackOff: 'ImagePullBackOff',
      ErrImageInspect: 'ImageInspectError',
      ErrImageNeverPull: 'ErrImageNeverPull',
      ErrInvalidImageName: 'InvalidImageName',
      ErrRegistryUnavailable: 'RegistryUnavailable',
      ErrSignatureValidationFailed: 'SignatureValidationFailed',
    });
  });

  it('event reasons (pkg/kubelet/events/event.go)', () => {
    expect(ImageEvents).toEqual({
      PullingImage: 'Pulling',
      PulledImage: 'Pulled',
      FailedToPullImage: 'Failed',
      FailedToInspectImage: 'InspectFailed',
      ErrImageNeverPullPolicy: 'ErrImageNeverPull',
      BackOffPullImage: 'BackOff',
      FailedToRetrieveImagePullSecret: 'FailedToRetrieveImagePullSecret',
    });
  });
});

describe('aggregateErrorText (utilerrors.NewAggregate)', () => {
  it('none → "", one → itself, several → "[a, b]" with duplicates dropped', () => {
    expect(aggregateErrorText([])).toBe('');
    expect(aggregateErrorText(['a'])).toBe('a');
    expect(aggregateErrorText(['a', 'b', 'a'])).toBe('[a, b]');
    expect(aggregateErrorText(['a', 'a'])).toBe('a');
  });
});
